// Command kube-node is one binary for the node side of a Kubernetes cluster: kubelet,
// kubeadm, kube-proxy and kubectl (one link instead of four). It picks the component
// from the name it was started as, or from its first argument:
//
//	kubelet --version
//	kube-node kubeadm version
package main

import (
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata" // time zone support, as in the upstream builds

	"github.com/spf13/cobra"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	kubeadm "k8s.io/kubernetes/cmd/kubeadm/app"
	kubeadmutil "k8s.io/kubernetes/cmd/kubeadm/app/util"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

var components = map[string]func() *cobra.Command{
	"kubelet":    kubelet.NewKubeletCommand,
	"kube-proxy": proxy.NewProxyCommand,
	"kubectl":    kubectl.NewDefaultKubectlCommand,
	"kubeadm":    nil, // kubeadm builds its own command and flag set
}

func main() {
	name := filepath.Base(os.Args[0])
	newCommand, ok := components[name]
	if !ok && len(os.Args) > 1 {
		if newCommand, ok = components[os.Args[1]]; ok {
			os.Args = os.Args[1:]
		}
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "usage: kube-node kubelet|kubeadm|kube-proxy|kubectl [flags]")
		os.Exit(2)
	}
	switch filepath.Base(os.Args[0]) {
	case "kubeadm":
		kubeadmutil.CheckErr(kubeadm.Run())
	case "kubectl":
		if err := cli.RunNoErrOutput(newCommand()); err != nil {
			kubectlutil.CheckErr(err)
		}
	default:
		os.Exit(cli.Run(newCommand()))
	}
}
