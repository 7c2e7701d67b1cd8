package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is the configuration of `cognate serve`.
type Config struct {
	// Listen is the TCP address of the HTTP server.
	Listen string `json:"listen"`
	// Data is the data directory: the SQLite database and the secret key.
	Data string `json:"data"`
	// Database selects PostgreSQL with a postgres:// URL; empty means the
	// embedded SQLite database in Data.
	Database string `json:"database"`
	// PublicURL is the externally reachable base URL; token issuers are
	// PublicURL/<poolId>. Empty means http://<Listen>.
	PublicURL string `json:"publicUrl"`
	// Region prefixes new pool IDs and appears in trigger events.
	Region string `json:"region"`
	// SecretFile holds the 32-byte server secret that seals refresh
	// tokens, sessions and SRP verifiers. Empty means <Data>/secret.key,
	// created on first start. Every node of a cluster needs the same one.
	SecretFile string `json:"secretFile"`
	// Admin, when set, requires AWS Signature Version 4 with this access
	// key on every operation Cognito authorises by IAM (Admin*, pool and
	// client management). Without it those operations are open, which
	// suits local development only.
	Admin AdminCredentials `json:"admin"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"logLevel"`
	// LogFormat is text or json.
	LogFormat string `json:"logFormat"`
	// ShutdownTimeout bounds how long in-flight requests may run on
	// SIGINT/SIGTERM.
	ShutdownTimeout Duration `json:"shutdownTimeout"`
	// Lambda configures the Lambda Invoke API used by triggers.
	Lambda Lambda `json:"lambda"`
	// Messages configures verification message delivery.
	Messages Messages `json:"messages"`
	// Federation configures the requests to upstream identity providers.
	Federation Federation `json:"federation"`
	// Seed names a seed file (pools, clients, groups, users) applied at
	// start: what it names and the server lacks is created.
	Seed string `json:"seed"`
}

// AdminCredentials is the access key admin operations must be signed with.
type AdminCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Federation configures how the server reaches the identity providers
// that pool administrators configure (CreateIdentityProvider).
type Federation struct {
	// PublicOnly lets the server reach providers at public addresses
	// only, never at loopback, private, link-local (cloud metadata) or
	// other special addresses: for a server whose pool administrators
	// must not make it fetch URLs inside its own network. Off by default,
	// so a local provider (Keycloak on localhost) works in development.
	PublicOnly bool `json:"publicOnly"`
}

// Lambda configures the Lambda client.
type Lambda struct {
	Endpoint        string `json:"endpoint"`
	Region          string `json:"region"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	// FunctionNameOnly invokes functions by name rather than ARN, for AWS
	// SAM local, which knows names only.
	FunctionNameOnly bool `json:"functionNameOnly"`
}

// Messages configures where verification messages go. Without SMTP, SES
// or SNS they stay in the local outbox (GET /_cognate/messages).
type Messages struct {
	// Email is "outbox" (default), "smtp" or "ses".
	Email string `json:"email"`
	// SMS is "outbox" (default) or "sns".
	SMS string `json:"sms"`
	// SMSSandbox delivers SMS only to SandboxNumbers.
	SMSSandbox     bool     `json:"smsSandbox"`
	SandboxNumbers []string `json:"sandboxNumbers"`
	SMTP           SMTP     `json:"smtp"`
	SES            AWS      `json:"ses"`
	SNS            AWS      `json:"sns"`
}

// SMTP configures the SMTP sender.
type SMTP struct {
	Host               string   `json:"host"`
	Port               int      `json:"port"`
	Username           string   `json:"username"`
	Password           string   `json:"password"`
	From               string   `json:"from"`
	TLS                string   `json:"tls"` // starttls, tls or none
	InsecureSkipVerify bool     `json:"insecureSkipVerify"`
	Timeout            Duration `json:"timeout"`
}

// AWS configures an AWS client (SES or SNS).
type AWS struct {
	Endpoint        string `json:"endpoint"`
	Region          string `json:"region"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	From            string `json:"from"` // SES only
}

// Duration is a time.Duration written as a Go duration string ("5s").
type Duration struct{ time.Duration }

// UnmarshalJSON reads "5s"-style strings.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Default returns the defaults.
func Default() Config {
	return Config{
		Listen:          "127.0.0.1:9229",
		Data:            ".cognate",
		Region:          "us-east-1",
		LogLevel:        "info",
		LogFormat:       "text",
		ShutdownTimeout: Duration{15 * time.Second},
		Messages:        Messages{Email: "outbox", SMS: "outbox"},
	}
}

// Load builds the configuration of `serve` from args (without the
// subcommand) and the environment.
func Load(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(new(bytes.Buffer))
	file := fs.String("config", getenv("COGNATE_CONFIG"), "JSON configuration file (env COGNATE_CONFIG)")
	listen := fs.String("listen", "", "listen address (env COGNATE_LISTEN, default 127.0.0.1:9229)")
	data := fs.String("data", "", "data directory (env COGNATE_DATA, default ./.cognate)")
	database := fs.String("database", "", "postgres:// URL; empty for embedded SQLite (env COGNATE_DATABASE)")
	public := fs.String("public-url", "", "external base URL, the token issuer base (env COGNATE_PUBLIC_URL)")
	region := fs.String("region", "", "region of new pools (env COGNATE_REGION, default us-east-1)")
	secret := fs.String("secret-file", "", "server secret file (env COGNATE_SECRET_FILE, default <data>/secret.key)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (env COGNATE_LOG_LEVEL)")
	lambda := fs.String("lambda-endpoint", "", "Lambda Invoke API endpoint for triggers (env COGNATE_LAMBDA_ENDPOINT)")
	seed := fs.String("seed", "", "seed file of pools, clients, groups and users, applied at start (env COGNATE_SEED)")
	if err := fs.Parse(args); err != nil {
		return Config{}, UsageError{Err: err, Usage: usage(fs)}
	}
	if fs.NArg() > 0 {
		return Config{}, UsageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(0)), Usage: usage(fs)}
	}
	cfg := Default()
	if *file != "" {
		if err := decodeFile(*file, &cfg); err != nil {
			return Config{}, err
		}
	}
	for _, o := range []struct {
		dst  *string
		env  string
		flag string
	}{
		{&cfg.Listen, "COGNATE_LISTEN", *listen},
		{&cfg.Data, "COGNATE_DATA", *data},
		{&cfg.Database, "COGNATE_DATABASE", *database},
		{&cfg.PublicURL, "COGNATE_PUBLIC_URL", *public},
		{&cfg.Region, "COGNATE_REGION", *region},
		{&cfg.SecretFile, "COGNATE_SECRET_FILE", *secret},
		{&cfg.LogLevel, "COGNATE_LOG_LEVEL", *logLevel},
		{&cfg.Lambda.Endpoint, "COGNATE_LAMBDA_ENDPOINT", *lambda},
		{&cfg.Seed, "COGNATE_SEED", *seed},
		{&cfg.Admin.AccessKeyID, "COGNATE_ADMIN_ACCESS_KEY_ID", ""},
		{&cfg.Admin.SecretAccessKey, "COGNATE_ADMIN_SECRET_ACCESS_KEY", ""},
	} {
		if v := getenv(o.env); v != "" {
			*o.dst = v
		}
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	if v := getenv("COGNATE_FEDERATION_PUBLIC_ONLY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("COGNATE_FEDERATION_PUBLIC_ONLY: %q is not true or false", v)
		}
		cfg.Federation.PublicOnly = b
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.Listen
	}
	if cfg.SecretFile == "" {
		cfg.SecretFile = filepath.Join(cfg.Data, "secret.key")
	}
	return cfg, cfg.Validate()
}

// UsageError is a command-line mistake; Usage is the flag summary.
type UsageError struct {
	Err   error
	Usage string
}

func (e UsageError) Error() string { return e.Err.Error() }

// usage lists the flags in the --flag style of the client commands.
func usage(fs *flag.FlagSet) string {
	var b bytes.Buffer
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if name != "" {
			fmt.Fprintf(&b, " %s", name)
		}
		fmt.Fprintf(&b, "\n      %s\n", help)
	})
	return b.String()
}

// IsHelp reports whether err is a request for the flag summary (-h,
// --help) rather than a mistake.
func IsHelp(err error) bool {
	var ue UsageError
	return errors.As(err, &ue) && errors.Is(ue.Err, flag.ErrHelp)
}

// decodeFile reads a JSON config file strictly: unknown keys and trailing
// data are errors.
func decodeFile(path string, cfg *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if dec.More() {
		return fmt.Errorf("config %s: trailing data after the JSON object", path)
	}
	return nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// Validate checks the whole configuration and reports every problem.
func (c Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: %w", c.Listen, err))
	} else if _, err := strconv.Atoi(port); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: port must be a number", c.Listen))
	}
	if c.Data == "" && c.Database == "" {
		errs = append(errs, errors.New("data: a data directory is required"))
	}
	if c.Database != "" && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
		errs = append(errs, fmt.Errorf("database: must be a postgres:// URL"))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("publicUrl %q: must be an http(s) URL", c.PublicURL))
	}
	if !regionPattern.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("region %q: not a region name such as us-east-1", c.Region))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("logLevel %q: must be debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("logFormat %q: must be text or json", c.LogFormat))
	}
	if (c.Admin.AccessKeyID == "") != (c.Admin.SecretAccessKey == "") {
		errs = append(errs, errors.New("admin: accessKeyId and secretAccessKey go together"))
	}
	if c.Lambda.Endpoint != "" {
		if u, err := url.Parse(c.Lambda.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, fmt.Errorf("lambda.endpoint %q: must be an http(s) URL", c.Lambda.Endpoint))
		}
	}
	switch c.Messages.Email {
	case "outbox":
	case "smtp":
		if c.Messages.SMTP.Host == "" || c.Messages.SMTP.From == "" {
			errs = append(errs, errors.New("messages.smtp: host and from are required"))
		}
	case "ses":
		if c.Messages.SES.From == "" {
			errs = append(errs, errors.New("messages.ses.from is required"))
		}
	default:
		errs = append(errs, fmt.Errorf("messages.email %q: must be outbox, smtp or ses", c.Messages.Email))
	}
	switch c.Messages.SMS {
	case "outbox", "sns":
	default:
		errs = append(errs, fmt.Errorf("messages.sms %q: must be outbox or sns", c.Messages.SMS))
	}
	return errors.Join(errs...)
}
