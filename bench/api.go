package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// targetPrefix is the X-Amz-Target prefix of every Cognito operation.
const targetPrefix = "AWSCognitoIdentityProviderService."

// contentType is the awsJson1_1 media type.
const contentType = "application/x-amz-json-1.1"

// apiClient calls operations over the wire with encoding/json; it serves
// setup and verification, where convenience beats speed.
type apiClient struct {
	url string
	hc  *http.Client
}

// apiError is an error answer of the server.
type apiError struct {
	Status  int
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Type, e.Message)
}

// call runs op with in as the JSON body and decodes the answer into out
// (which may be nil).
func (c *apiClient) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	buf, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &apiError{Status: resp.StatusCode}
		_ = json.Unmarshal(buf, e)
		return fmt.Errorf("%s: %w", op, e)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(buf, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", op, err)
	}
	return nil
}

// waitHealthy polls GET /health until it answers 200 or ctx ends.
func waitHealthy(ctx context.Context, hc *http.Client, url string) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server at %s did not become healthy: %w (last error: %v)", url, ctx.Err(), err)
		case <-time.After(2 * time.Millisecond):
		}
	}
}
