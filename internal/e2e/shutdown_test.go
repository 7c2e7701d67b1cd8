package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestGracefulShutdown sends SIGTERM to `cognate serve` while requests are
// in flight: the process must exit 0, every request it answered must have
// been answered correctly, the database must be closed cleanly (WAL
// checkpointed) and every acknowledged write must be there after restart.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildCognate(t, dir)
	data := filepath.Join(dir, "data")
	p := startCognate(t, bin, data)
	c := testserver.NewClient(p.url)
	ctx := context.Background()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("shutdown")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id

	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := "u" + string(rune('a'+w)) + time.Now().Format("150405.000000")
				_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
					UserPoolId: poolID, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
				})
				if err == nil {
					mu.Lock()
					acked[name] = true
					mu.Unlock()
					continue
				}
				var apiErr interface{ ErrorCode() string }
				if errors.As(err, &apiErr) {
					t.Errorf("request answered with a service error during shutdown: %v", err)
				}
				return // connection refused or closed: the server is gone
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("cognate serve exited with %v after SIGTERM, want exit status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("cognate serve did not stop within 30s of SIGTERM")
	}
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no request was acknowledged before shutdown")
	}
	if fi, err := os.Stat(filepath.Join(data, "cognate.db-wal")); err == nil && fi.Size() > 0 {
		t.Errorf("WAL holds %d bytes after a clean stop, want it checkpointed", fi.Size())
	}

	p2 := startCognate(t, bin, data)
	c2 := testserver.NewClient(p2.url)
	for name := range acked {
		if _, err := c2.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String(name)}); err != nil {
			t.Errorf("acknowledged user %s missing after restart: %v", name, err)
		}
	}
}
