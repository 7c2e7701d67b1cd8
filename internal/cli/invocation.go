package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// invocation is one run of a command: its flags, the common parameters
// and the output settings.
type invocation struct {
	cmd command
	env Env
	fs  *flag.FlagSet

	// positional, when set, receives the command's one positional
	// argument (the access token, as the cmdlets' Position 1).
	positional     *string
	positionalName string

	// Common parameters (Cognito commands only).
	region, endpoint, profile, profileLocation string

	// Output settings.
	output      string
	sel         string
	outType     reflect.Type // response shape, for checking --select
	selBase     string       // a response member --select also looks in
	paramNames  []string     // parameters --select '^Name' may name
	paramValues map[string]any
	passthru    bool
	force       bool

	stdin *bufio.Reader
}

func newInvocation(cmd command, env Env) *invocation {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &invocation{cmd: cmd, env: env, fs: fs, output: "json", paramValues: map[string]any{}}
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

// commonFlags declares --region, --endpoint-url, --profile and
// --profile-location.
func (inv *invocation) commonFlags() {
	inv.fs.StringVar(&inv.region, "region", "", "the AWS `region` (default: the profile's region, then AWS_REGION, then AWS_DEFAULT_REGION)")
	inv.fs.StringVar(&inv.endpoint, "endpoint-url", "", "the service endpoint `URL`, e.g. http://127.0.0.1:9229 for cognate serve")
	inv.fs.StringVar(&inv.profile, "profile", "", "the `profile` to read the region from (default: AWS_PROFILE, then \"default\")")
	inv.fs.StringVar(&inv.profileLocation, "profile-location", "", "an ini credentials/config `file` holding the profile (default: ~/.aws/config and ~/.aws/credentials)")
}

// outputFlags declares --output and --select. def is the default
// selection, out the response type (nil: not checked), params the names
// '^Name' may select.
func (inv *invocation) outputFlags(def string, out any, params ...string) {
	inv.fs.StringVar(&inv.output, "output", "json", "output `format`: json, text or table")
	inv.fs.StringVar(&inv.sel, "select", def, "`what` to print: a response member, '*' for the whole response, or '^Parameter' for a parameter's value")
	if out != nil {
		inv.outType = reflect.TypeOf(out)
	}
	inv.paramNames = params
}

// passthruFlag declares the deprecated --passthru (like --select ^param).
func (inv *invocation) passthruFlag(param string) {
	inv.fs.BoolVar(&inv.passthru, "passthru", false, "deprecated: print the "+param+" parameter (use --select ^"+param+")")
}

// forceFlag declares --force.
func (inv *invocation) forceFlag() {
	inv.fs.BoolVar(&inv.force, "force", false, "do not ask for confirmation")
}

// accessTokenFlag declares --access-token, also accepted as the first
// positional argument.
func (inv *invocation) accessTokenFlag() *string {
	p := new(string)
	inv.fs.StringVar(p, "access-token", "", "the user's access `token` (required); '-' or piped standard input reads it from there")
	inv.positional, inv.positionalName = p, "access-token"
	return p
}

// parse parses args, allowing flags after the positional argument, and
// checks the output settings.
func (inv *invocation) parse(args []string) error {
	for {
		if err := inv.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{flagMessage(err)}
		}
		rest := inv.fs.Args()
		if len(rest) == 0 {
			break
		}
		if inv.positional == nil || *inv.positional != "" {
			return usagef("unexpected argument %q", rest[0])
		}
		*inv.positional = rest[0]
		args = rest[1:]
	}
	switch inv.output {
	case "json", "text", "table":
	default:
		return usagef("--output must be json, text or table, not %q", inv.output)
	}
	if inv.passthru {
		fmt.Fprintf(inv.env.Stderr, "WARNING: --passthru is deprecated and will be removed; use --select '^%s' instead.\n", inv.paramNames[0])
		if inv.isSet("select") {
			return usagef("--passthru and --select cannot be used together")
		}
		inv.sel = "^" + inv.paramNames[0]
	}
	return inv.checkSelect()
}

// flagMessage spells the flag package's errors with the double dash the
// help uses.
func flagMessage(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + name
	}
	return strings.Replace(msg, "flag -", "flag --", 1)
}

func (inv *invocation) isSet(name string) bool {
	set := false
	inv.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// checkSelect rejects a --select that names nothing the command has.
func (inv *invocation) checkSelect() error {
	s := inv.sel
	switch {
	case s == "" || s == "*":
		return nil
	case strings.HasPrefix(s, "^"):
		if _, ok := inv.paramName(s[1:]); ok {
			return nil
		}
		return usagef("--select %q: no parameter %q; this command has %s", s, s[1:], strings.Join(inv.paramNames, ", "))
	case inv.outType == nil:
		return nil
	}
	first, _, _ := strings.Cut(s, ".")
	names := memberNames(inv.outType)
	if inv.selBase != "" {
		if f, ok := inv.outType.FieldByName(inv.selBase); ok {
			names = append(names, memberNames(f.Type)...)
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, first) {
			return nil
		}
	}
	return usagef("--select %q: the response has no member %q; it has %s", s, first, strings.Join(names, ", "))
}

// paramName finds a declared parameter by name, ignoring case and dashes.
func (inv *invocation) paramName(name string) (string, bool) {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "")) }
	for _, p := range inv.paramNames {
		if norm(p) == norm(name) {
			return p, true
		}
	}
	return "", false
}

// memberNames lists the exported members of a response struct type.
func memberNames(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && f.Name != "ResultMetadata" {
			names = append(names, f.Name)
		}
	}
	return names
}

// usage prints the command's help.
func (inv *invocation) usage(w io.Writer) {
	c := inv.cmd
	fmt.Fprintf(w, "Usage: cognate %s %s\n\n%s\n\nFlags:\n", c.name, c.synopsis, c.summary)
	inv.fs.VisitAll(func(f *flag.Flag) {
		name, use := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + strings.ToUpper(name)
		}
		fmt.Fprintf(w, "  --%s%s\n      %s", f.Name, name, use)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprintf(w, "\nExample:\n%s\n", c.example)
}

// stdinReader returns one buffered reader over Stdin for the whole run.
func (inv *invocation) stdinReader() *bufio.Reader {
	if inv.stdin == nil {
		inv.stdin = bufio.NewReader(inv.env.Stdin)
	}
	return inv.stdin
}

// accessToken resolves --access-token: '-' (or an absent flag with piped
// standard input) reads the token from standard input, trimmed.
func (inv *invocation) accessToken(v string) (string, error) {
	if v != "-" && v != "" {
		return v, nil
	}
	if v == "" && inv.env.stdinTerminal() {
		return "", usagef("--access-token is required")
	}
	b, err := io.ReadAll(io.LimitReader(inv.stdinReader(), 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the access token from standard input: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		if v == "" {
			return "", usagef("--access-token is required")
		}
		return "", usagef("--access-token -: standard input is empty")
	}
	return tok, nil
}

// confirm asks before a change, as the cmdlets do; it asks only when
// standard input is a terminal and --force is absent.
func (inv *invocation) confirm(operation, target string) error {
	if inv.force || !inv.env.stdinTerminal() {
		return nil
	}
	fmt.Fprintf(inv.env.Stderr, "Are you sure you want to perform this action?\nPerforming the operation %q on target %q.\n[Y] Yes  [N] No  (default is \"N\"): ", operation, target)
	line, err := inv.stdinReader().ReadString('\n')
	if err != nil && line == "" {
		return errCancelled
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return errCancelled
}

// client builds the Cognito client from the common parameters. It sets no
// credentials: every operation these commands call is unsigned.
func (inv *invocation) client(ctx context.Context) (*cip.Client, error) {
	region, endpoint, err := inv.resolve(ctx)
	if err != nil {
		return nil, err
	}
	o := cip.Options{Region: region, HTTPClient: inv.env.HTTPClient}
	if endpoint != "" {
		o.BaseEndpoint = aws.String(endpoint)
	}
	return cip.New(o), nil
}

// resolve finds the region and endpoint: flags first, then the profile,
// then the environment.
func (inv *invocation) resolve(ctx context.Context) (region, endpoint string, err error) {
	getenv := inv.env.Getenv
	profile := firstNonEmpty(inv.profile, getenv("AWS_PROFILE"), "default")
	var configFiles, credFiles []string
	if inv.profileLocation != "" {
		configFiles = []string{inv.profileLocation}
		credFiles = []string{inv.profileLocation}
	} else {
		home := firstNonEmpty(getenv("HOME"), getenv("USERPROFILE"))
		if f := firstNonEmpty(getenv("AWS_CONFIG_FILE"), joinIf(home, ".aws/config")); f != "" {
			configFiles = []string{f}
		}
		if f := firstNonEmpty(getenv("AWS_SHARED_CREDENTIALS_FILE"), joinIf(home, ".aws/credentials")); f != "" {
			credFiles = []string{f}
		}
	}
	var sc config.SharedConfig
	if len(configFiles)+len(credFiles) > 0 {
		sc, err = config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles = configFiles
			o.CredentialsFiles = credFiles
		})
		var notExist config.SharedConfigProfileNotExistError
		if err != nil && !errors.As(err, &notExist) {
			return "", "", usagef("cannot read profile %q: %v", profile, err)
		}
	}
	region = firstNonEmpty(inv.region, sc.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
	if region == "" {
		return "", "", usagef("no region: pass --region, set region in profile %q (--profile, --profile-location), or set AWS_REGION", profile)
	}
	endpoint = firstNonEmpty(inv.endpoint, getenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"), getenv("AWS_ENDPOINT_URL"), sc.BaseEndpoint)
	if endpoint != "" {
		if err := checkURL(endpoint); err != nil {
			return "", "", err
		}
	}
	return region, endpoint, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--endpoint-url %q is not an http(s) URL", s)
	}
	return nil
}

func joinIf(dir, rel string) string {
	if dir == "" {
		return ""
	}
	return strings.TrimRight(dir, "/\\") + "/" + rel
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
