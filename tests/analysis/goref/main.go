// Reference renderer for the differential tests: Go's text/template with the same options and
// functions Flagger's metric query rendering uses (missingkey=error, nil data, the model as functions).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"text/template"
)

type model struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Target    string            `json:"target"`
	Service   string            `json:"service"`
	Ingress   string            `json:"ingress"`
	Route     string            `json:"route"`
	Interval  string            `json:"interval"`
	Variables map[string]string `json:"variables"`
}

type testCase struct {
	Template string `json:"template"`
	Model    model  `json:"model"`
}

type result struct {
	Output string `json:"output"`
	Error  string `json:"error"`
	Stage  string `json:"stage"`
}

func render(c testCase) result {
	m := c.Model
	funcs := template.FuncMap{
		"name":      func() string { return m.Name },
		"namespace": func() string { return m.Namespace },
		"target":    func() string { return m.Target },
		"service":   func() string { return m.Service },
		"ingress":   func() string { return m.Ingress },
		"route":     func() string { return m.Route },
		"interval":  func() string { return m.Interval },
		"variables": func() map[string]string { return m.Variables },
	}
	t, err := template.New("tmpl").Option("missingkey=error").Funcs(funcs).Parse(c.Template)
	if err != nil {
		return result{Error: err.Error(), Stage: "parse"}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, nil); err != nil {
		return result{Error: err.Error(), Stage: "exec"}
	}
	return result{Output: buf.String()}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			panic(err)
		}
		if err := out.Encode(render(c)); err != nil {
			panic(err)
		}
	}
}
