// Package config holds Cognate's typed configuration: defaults, an optional
// JSON file decoded strictly (an unknown key is an error), COGNATE_*
// environment variables and command-line flags, in rising precedence, and
// one Validate.
//
// It is the only package that reads the environment.
package config
