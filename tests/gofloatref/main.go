// Reference for tests/test_gofloat.py: Go's own float formatting of the values it reads.
//
// Each input line is "MODE BITS FMT PREC SIZE": BITS is a float64's IEEE 754 bits in hex; MODE is
// strconv (strconv.FormatFloat(v, FMT, PREC, SIZE)), json (json.Marshal of v as a float64 or, for
// SIZE 32, a float32) or sprint (fmt.Sprint of v as a float64 or float32). Each output line is the text.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

func format(line string) (string, error) {
	fields := strings.Fields(line)
	if len(fields) != 5 {
		return "", fmt.Errorf("want 5 fields, got %q", line)
	}
	bits, err := strconv.ParseUint(fields[1], 16, 64)
	if err != nil {
		return "", err
	}
	v := math.Float64frombits(bits)
	prec, err := strconv.Atoi(fields[3])
	if err != nil {
		return "", err
	}
	size, err := strconv.Atoi(fields[4])
	if err != nil {
		return "", err
	}
	switch fields[0] {
	case "strconv":
		return strconv.FormatFloat(v, fields[2][0], prec, size), nil
	case "json":
		var out []byte
		if size == 32 {
			out, err = json.Marshal(float32(v))
		} else {
			out, err = json.Marshal(v)
		}
		return string(out), err
	case "sprint":
		if size == 32 {
			return fmt.Sprint(float32(v)), nil
		}
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("unknown mode %q", fields[0])
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		text, err := format(in.Text())
		if err != nil {
			text = "error: " + err.Error()
		}
		fmt.Fprintln(out, text)
	}
}
