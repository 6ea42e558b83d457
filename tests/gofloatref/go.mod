module gofloatref

go 1.22
