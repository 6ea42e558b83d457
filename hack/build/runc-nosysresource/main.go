// Command runc-nosysresource is an OCI runtime that drops CAP_SYS_RESOURCE from
// every container spec and then hands over to runc.
//
// Some machines (sandboxes, nested containers) run dockerd with a capability
// bounding set that lacks CAP_SYS_RESOURCE. runc then refuses privileged
// containers, such as kind's nodes, with "unable to apply caps: operation not
// permitted", because a privileged spec asks for every capability. Registered as
// dockerd's default runtime, this wrapper edits the bundle's config.json (create,
// run) or the --process file (exec) and execs the real runc with the same
// arguments. It is installed only where a probe shows it is needed.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

const dropped = "CAP_SYS_RESOURCE"

func main() {
	runc := os.Getenv("SUPPLYCHAIN_RUNC")
	if runc == "" {
		runc = "/usr/sbin/runc"
	}
	args := os.Args[1:]
	if command, bundle, process := scan(args); command != "" {
		var err error
		switch {
		case command == "exec" && process != "":
			err = rewrite(process, false)
		case command == "create" || command == "run":
			if bundle == "" {
				bundle, _ = os.Getwd()
			}
			err = rewrite(filepath.Join(bundle, "config.json"), true)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "runc-nosysresource: %v\n", err)
			os.Exit(1)
		}
	}
	if err := syscall.Exec(runc, append([]string{runc}, args...), os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "runc-nosysresource: exec %s: %v\n", runc, err)
		os.Exit(1)
	}
}

// scan finds the subcommand (the first argument that is not a global flag) and
// the --bundle/-b and --process/-p values after it.
func scan(args []string) (command, bundle, process string) {
	valued := map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if len(a) > 0 && a[0] == '-' {
			if valued[a] {
				i++
			}
			continue
		}
		command = a
		break
	}
	for j := i + 1; j < len(args); j++ {
		switch a := args[j]; {
		case (a == "--bundle" || a == "-b") && j+1 < len(args):
			bundle = args[j+1]
		case (a == "--process" || a == "-p") && j+1 < len(args):
			process = args[j+1]
		case len(a) > 9 && a[:9] == "--bundle=":
			bundle = a[9:]
		case len(a) > 10 && a[:10] == "--process=":
			process = a[10:]
		}
	}
	return command, bundle, process
}

// rewrite removes the capability from a spec (config.json, whose process holds
// the capabilities) or from a process file (exec), keeping every other field.
func rewrite(path string, spec bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	process := doc
	if spec {
		p, ok := doc["process"].(map[string]any)
		if !ok {
			return nil
		}
		process = p
	}
	caps, ok := process["capabilities"].(map[string]any)
	if !ok {
		return nil
	}
	changed := false
	for set, value := range caps {
		list, ok := value.([]any)
		if !ok {
			continue
		}
		kept := list[:0:0]
		for _, c := range list {
			if c == dropped {
				changed = true
				continue
			}
			kept = append(kept, c)
		}
		caps[set] = kept
	}
	if !changed {
		return nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, info.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
