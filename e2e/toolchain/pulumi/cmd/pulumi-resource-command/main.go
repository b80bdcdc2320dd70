// Command pulumi-resource-command is the e2e tier's STAND-IN for pulumi-resource-command 1.2.1.
//
// Why a stand-in: the Go module proxy reachable here serves no version of
// github.com/pulumi/pulumi-command/provider, so the upstream provider cannot be built. This program
// implements only `command:local:Command`, the one resource calico-pulumi uses, and follows the
// upstream behaviour read in pulumi-command (provider/pkg/provider/local: commandController.go,
// commandOutputs.go, base.go, logging.go):
//   - every input change is an in-place update; a change of `triggers` is a replacement;
//   - create runs `create`; update runs `update`, or `create` when there is no `update`; delete runs
//     the `delete` stored in state, with the stdin, environment and dir stored in state;
//   - commands run as `/bin/sh -c CMD` (or `interpreter`), in `dir` or the provider's working
//     directory, with the caller's environment plus `environment`, and stdin from `stdin`;
//   - unless addPreviousOutputInEnv is false, the previous stdout/stderr are exported as
//     PULUMI_COMMAND_STDOUT / PULUMI_COMMAND_STDERR;
//   - stdout/stderr are logged to the engine per `logging` (default stdoutAndStderr);
//   - every output depends on every input, so a secret input makes every output secret;
//   - in preview nothing runs and stdout/stderr are unknown.
//
// assetPaths/archivePaths and the remote resources are not implemented; a program that sets them
// gets an error rather than a silent difference.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Version is what GetPluginInfo reports: the release this stand-in follows, marked as a stand-in.
var Version = "1.2.1+e2e-standin"

const commandType = "command:local:Command"

// inputKeys are the inputs of local:Command that this stand-in understands; anything else is refused.
var inputKeys = map[string]bool{
	"create": true, "update": true, "delete": true, "triggers": true, "logging": true,
	"interpreter": true, "dir": true, "environment": true, "stdin": true, "addPreviousOutputInEnv": true,
}

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	host *provider.HostClient
}

func main() {
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &commandProvider{host: host}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) { return plugin.UnmarshalProperties(s, opts) }
func marshal(m resource.PropertyMap) (*structpb.Struct, error)   { return plugin.MarshalProperties(m, opts) }

func (p *commandProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *commandProvider) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true, AcceptOutputs: false}, nil
}

func (p *commandProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"command","version":"1.2.1"}`}, nil
}

func (p *commandProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *commandProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *commandProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func checkType(urn string) error {
	if t := string(resource.URN(urn).Type()); t != commandType {
		return fmt.Errorf("the e2e stand-in for pulumi-resource-command implements only %s, not %s", commandType, t)
	}
	return nil
}

func (p *commandProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	for k := range news {
		if !inputKeys[string(k)] && !strings.HasPrefix(string(k), "__") {
			failures = append(failures, &pulumirpc.CheckFailure{Property: string(k),
				Reason: "not implemented by the e2e stand-in for pulumi-resource-command"})
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// Diff compares the inputs kept in state with the new inputs: a changed `triggers` replaces, any other
// changed input updates in place. Outputs (stdout, stderr) take no part.
func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if len(olds) == 0 {
		if olds, err = unmarshal(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var diffs, replaces []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for k := range inputKeys {
		key := resource.PropertyKey(k)
		o, hasOld := olds[key]
		n, hasNew := news[key]
		if !hasOld && !hasNew {
			continue
		}
		if hasOld && hasNew && !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		diffs = append(diffs, k)
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hasOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if k == "triggers" {
			replaces = append(replaces, k)
			kind += 1 // ADD_REPLACE, UPDATE_REPLACE, DELETE_REPLACE follow their plain kinds
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	sort.Strings(diffs)
	sort.Strings(replaces)
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{Changes: changes, Diffs: diffs, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true}, nil
}

func str(m resource.PropertyMap, k string) (string, bool) {
	v, ok := m[resource.PropertyKey(k)]
	if !ok {
		return "", false
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

func anySecret(m resource.PropertyMap) bool {
	for _, v := range m {
		if v.ContainsSecrets() {
			return true
		}
	}
	return false
}

// outputs builds the state: the inputs, plus stdout/stderr (unknown in preview), all secret when any
// input is secret.
func outputs(inputs resource.PropertyMap, stdout, stderr *string) resource.PropertyMap {
	out := inputs.Copy()
	secret := anySecret(inputs)
	set := func(k string, v *string) {
		var pv resource.PropertyValue
		if v == nil {
			pv = resource.MakeComputed(resource.NewStringProperty(""))
		} else {
			pv = resource.NewStringProperty(*v)
		}
		if secret {
			pv = resource.MakeSecret(pv)
		}
		out[resource.PropertyKey(k)] = pv
	}
	set("stdout", stdout)
	set("stderr", stderr)
	return out
}

// run executes one command the way upstream's local run() does.
func (p *commandProvider) run(ctx context.Context, urn string, command string, in resource.PropertyMap, prevOut, prevErr string) (string, string, error) {
	args := []string{"/bin/sh", "-c"}
	if v, ok := in["interpreter"]; ok && v.IsArray() && len(v.ArrayValue()) > 0 {
		args = nil
		for _, a := range v.ArrayValue() {
			args = append(args, a.StringValue())
		}
	}
	args = append(args, command)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if d, ok := str(in, "dir"); ok {
		cmd.Dir = d
	}
	cmd.Env = os.Environ()
	if v, ok := in["environment"]; ok {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsObject() {
			env := v.ObjectValue()
			for _, k := range env.StableKeys() {
				s, _ := str(env, string(k))
				cmd.Env = append(cmd.Env, string(k)+"="+s)
			}
		}
	}
	addPrev := true
	if v, ok := in["addPreviousOutputInEnv"]; ok && v.IsBool() {
		addPrev = v.BoolValue()
	}
	if addPrev {
		if prevOut != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+prevOut)
		}
		if prevErr != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+prevErr)
		}
	}
	if s, ok := str(in, "stdin"); ok && s != "" {
		cmd.Stdin = strings.NewReader(s)
	}
	logging, _ := str(in, "logging")
	if logging == "" {
		logging = "stdoutAndStderr"
	}
	var stdout, stderr, both bytes.Buffer
	var mu sync.Mutex
	var wg sync.WaitGroup
	pipe := func(dst *bytes.Buffer, log bool) io.Writer {
		r, w := io.Pipe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
			for sc.Scan() {
				line := sc.Text()
				mu.Lock()
				dst.WriteString(line + "\n")
				both.WriteString(line + "\n")
				mu.Unlock()
				if log && p.host != nil {
					_ = p.host.Log(ctx, diag.Info, resource.URN(urn), line)
				}
			}
			_, _ = io.Copy(io.Discard, r)
		}()
		return w
	}
	ow := pipe(&stdout, logging == "stdout" || logging == "stdoutAndStderr")
	ew := pipe(&stderr, logging == "stderr" || logging == "stdoutAndStderr")
	cmd.Stdout, cmd.Stderr = ow, ew
	err := cmd.Run()
	ow.(*io.PipeWriter).Close()
	ew.(*io.PipeWriter).Close()
	wg.Wait()
	if err != nil {
		return "", "", fmt.Errorf("%w: running %q:\n%s", err, command, both.String())
	}
	return strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n"), nil
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	in, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, err := resource.NewUniqueHex(string(resource.URN(req.GetUrn()).Name()), 8, 0)
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		s, err := marshal(outputs(in, nil, nil))
		return &pulumirpc.CreateResponse{Id: id, Properties: s}, err
	}
	var so, se string
	if c, ok := str(in, "create"); ok {
		if so, se, err = p.run(ctx, req.GetUrn(), c, in, "", ""); err != nil {
			return nil, err
		}
	}
	s, err := marshal(outputs(in, &so, &se))
	return &pulumirpc.CreateResponse{Id: id, Properties: s}, err
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	in, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	prevOut, _ := str(olds, "stdout")
	prevErr, _ := str(olds, "stderr")
	if req.GetPreview() {
		s, err := marshal(outputs(in, nil, nil))
		return &pulumirpc.UpdateResponse{Properties: s}, err
	}
	c, ok := str(in, "update")
	if !ok {
		c, ok = str(in, "create")
	}
	so, se := prevOut, prevErr
	if ok {
		if so, se, err = p.run(ctx, req.GetUrn(), c, in, prevOut, prevErr); err != nil {
			return nil, err
		}
	}
	s, err := marshal(outputs(in, &so, &se))
	return &pulumirpc.UpdateResponse{Properties: s}, err
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	c, ok := str(state, "delete")
	if !ok {
		return &emptypb.Empty{}, nil
	}
	prevOut, _ := str(state, "stdout")
	prevErr, _ := str(state, "stderr")
	if _, _, err := p.run(ctx, req.GetUrn(), c, state, prevOut, prevErr); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Read returns the state as stored: a local command has nothing to refresh from.
func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if req.GetProperties() == nil {
		return nil, errors.New("local:Command cannot be imported")
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *commandProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
