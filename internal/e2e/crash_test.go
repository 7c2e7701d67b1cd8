package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// buildCognate builds cmd/cognate into dir and returns the binary's path.
func buildCognate(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, "cognate")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cognate")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/cognate: %v\n%s", err, b)
	}
	return bin
}

// cognateProcess is a `cognate serve` child process.
type cognateProcess struct {
	cmd *exec.Cmd
	url string
}

var servingLine = regexp.MustCompile(`msg="cognate serving".* listen=(\S+)`)

// startCognate runs `cognate serve` on data and waits until it listens.
func startCognate(t *testing.T, bin, data string) *cognateProcess {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data", data,
		"--public-url", "http://cognate.test", "--log-level", "info")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + data}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start cognate: %v", err)
	}
	p := &cognateProcess{cmd: cmd}
	t.Cleanup(p.kill)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
			t.Log("cognate: " + sc.Text())
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-time.After(time.Minute):
		t.Fatal("cognate serve did not start within a minute")
	}
	return p
}

// kill ends the process with SIGKILL and reaps it.
func (p *cognateProcess) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// TestCrashDurability runs `cognate serve` as a child process, kills it
// with SIGKILL while UpdateUserAttributes calls are in flight, restarts it
// on the same data directory and checks every acknowledged update.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the cognate binary")
	}
	t.Parallel()
	ctx := context.Background()
	tmp := t.TempDir()
	bin := buildCognate(t, tmp)
	data := filepath.Join(tmp, "data")

	first := startCognate(t, bin, data)
	s := &testserver.Server{URL: first.url, Client: testserver.NewClient(first.url)}
	const writers, perWriter = 5, 10
	var schema []types.SchemaAttributeType
	for i := range writers * perWriter {
		schema = append(schema, types.SchemaAttributeType{Name: aws.String(fmt.Sprintf("c%d", i)), AttributeDataType: types.AttributeDataTypeString})
	}
	pool := s.Pool(t, &cip.CreateUserPoolInput{Schema: schema})
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "jane")
	tok := s.SignIn(t, client, "jane").AccessToken

	// Writer w owns attributes c<w*perWriter> … and writes them in turn with
	// an increasing counter, so per attribute the writes are ordered and the
	// stored counter may only be at or past the last acknowledged one.
	var mu sync.Mutex
	acked := map[string]int{}
	total := 0
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := 1; ; n++ {
				name := fmt.Sprintf("custom:c%d", w*perWriter+n%perWriter)
				_, err := s.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
					AccessToken: tok, UserAttributes: testserver.AttrList(name, strconv.Itoa(n)),
				})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[name] = n
				total++
				if total >= 300 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(2 * time.Minute):
		t.Fatal("300 updates did not complete within two minutes")
	}
	first.kill()
	wg.Wait()
	if ws, ok := first.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("first server ended with %v, want SIGKILL", first.cmd.ProcessState)
	}

	second := startCognate(t, bin, data)
	s2 := testserver.NewClient(second.url)
	out, err := s2.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("jane")})
	if err != nil {
		t.Fatalf("AdminGetUser after restart: %v", err)
	}
	got := testserver.Attrs(out.UserAttributes)
	mu.Lock()
	defer mu.Unlock()
	missing := 0
	for name, n := range acked {
		v, err := strconv.Atoi(got[name])
		if err != nil || v < n {
			missing++
			t.Errorf("%s = %q after restart, acknowledged %d", name, got[name], n)
		}
	}
	t.Logf("%d acknowledged updates over %d attributes, %d missing", total, len(acked), missing)
	// The secret key survived too: the old access token still works.
	if _, err := s2.GetUser(ctx, &cip.GetUserInput{AccessToken: tok}); err != nil {
		t.Errorf("GetUser with the pre-crash token: %v", err)
	}
}
