// Command bench is Cognate's load generator: it drives UpdateUserAttributes,
// GetUser or InitiateAuth (USER_PASSWORD_AUTH) against a running server
// (-endpoint), a child `cognate serve` it builds and starts itself (-serve,
// optionally pinned with taskset), or a server in its own process
// (-inprocess, so -cpuprofile captures the server side).
//
// It is a measuring instrument, not a test: it prints requests/s, latency
// percentiles and errors, then checks with GetUser that every acknowledged
// update landed, and exits non-zero on errors or lost writes.
//
// It talks to the server over the wire (awsJson1_1) and knows nothing of
// its internals, with one exception: -bulk writes user records straight
// into the SQLite store (bulk.go), and so mirrors the user document of
// internal/userpool/records.go (userDoc) and the password hash format of
// internal/userpool/password.go. A change to either must be repeated there.
// -op oauthtoken also signs tokens with internal/token's Sign, the server's
// own signer, for its reference rate (oauthtoken.go).
//
// Usage:
//
//	go run ./bench -serve -op update -users 100 -c 64 -d 10s -runs 3 -server-cpu 1 -client-cpu 0
//	go run ./bench -endpoint http://127.0.0.1:9229 -op getuser
//	go run ./bench -inprocess -op update -cpuprofile cpu.pprof
//	go run ./bench -serve -server-cpu 1 -client-cpu 0 -import 100000
//	go run ./bench -serve -op oauthtoken -users 64 -c 16 -runs 3 -server-cpu 1 -client-cpu 0
//	go run ./bench -serve -data /tmp/bd100 -users 100 -vs-data /tmp/bd1m -vs-users 1000000 -runs 5 -server-cpu 1 -client-cpu 0
//
// With -import N it times a user import job of N users instead of a load
// (import.go): CSV upload to the job's PreSignedUrl, then users/s from
// StartUserImportJob to Succeeded.
//
// With -vs-data two servers run side by side (both pinned to -server-cpu,
// only one under load at a time) and the runs alternate between them, so a
// comparison such as 100 against 1,000,000 users is not decided by the
// machine's drift between minutes.
//
// Each run line ends with the machine's speed while it was measured
// (-probe, on by default): the median CPU time of one RSA-2048
// verification on the server's CPU, sampled every 200 ms (speed.go). The
// machine this was written on drifts by half between minutes, and a figure
// means little without it.
package main
