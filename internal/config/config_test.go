package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"listen":"127.0.0.1:7000","region":"eu-west-1","lambda":{"endpoint":"http://127.0.0.1:3001"}}`), 0o600)
	typo := filepath.Join(dir, "typo.json")
	os.WriteFile(typo, []byte(`{"listn":"127.0.0.1:7000"}`), 0o600)

	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c.Listen != "127.0.0.1:9229" || c.Data != ".cognate" || c.Region != "us-east-1" ||
				c.PublicURL != "http://127.0.0.1:9229" || c.SecretFile != filepath.Join(".cognate", "secret.key") {
				t.Errorf("defaults = %+v", c)
			}
		}},
		{name: "file", args: []string{"-config", good}, check: func(t *testing.T, c Config) {
			if c.Listen != "127.0.0.1:7000" || c.Region != "eu-west-1" || c.Lambda.Endpoint != "http://127.0.0.1:3001" {
				t.Errorf("file values not applied: %+v", c)
			}
			if c.PublicURL != "http://127.0.0.1:7000" {
				t.Errorf("public URL = %q, want derived from listen", c.PublicURL)
			}
		}},
		{name: "env over file, flag over env", args: []string{"-config", good, "-region", "ap-south-1"},
			env: map[string]string{"COGNATE_LISTEN": "0.0.0.0:8000", "COGNATE_REGION": "us-west-2"},
			check: func(t *testing.T, c Config) {
				if c.Listen != "0.0.0.0:8000" || c.Region != "ap-south-1" {
					t.Errorf("precedence wrong: %+v", c)
				}
			}},
		{name: "unknown key is an error", args: []string{"-config", typo}, wantErr: `unknown field "listn"`},
		{name: "bad region", args: []string{"-region", "mars"}, wantErr: "region"},
		{name: "bad listen", env: map[string]string{"COGNATE_LISTEN": "nope"}, wantErr: "listen"},
		{name: "bad flag", args: []string{"-nope"}, wantErr: "flag provided but not defined"},
		{name: "stray argument", args: []string{"extra"}, wantErr: "unexpected argument"},
		{name: "bad database", args: []string{"-database", "mysql://x"}, wantErr: "postgres"},
		{name: "federation public only", env: map[string]string{"COGNATE_FEDERATION_PUBLIC_ONLY": "true"}, check: func(t *testing.T, c Config) {
			if !c.Federation.PublicOnly {
				t.Error("COGNATE_FEDERATION_PUBLIC_ONLY=true left federation.publicOnly off")
			}
		}},
		{name: "federation public only off by default", check: func(t *testing.T, c Config) {
			if c.Federation.PublicOnly {
				t.Error("federation.publicOnly is on by default")
			}
		}},
		{name: "bad federation public only", env: map[string]string{"COGNATE_FEDERATION_PUBLIC_ONLY": "maybe"}, wantErr: "COGNATE_FEDERATION_PUBLIC_ONLY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}
