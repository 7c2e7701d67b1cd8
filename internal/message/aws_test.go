package message

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// fakeAWS is an httptest server that records requests and answers with a
// fixed status and body.
type fakeAWS struct {
	srv    *httptest.Server
	status int
	ctype  string
	reply  string
	header map[string]string

	mu   sync.Mutex
	reqs []recordedRequest
}

type recordedRequest struct {
	Method, Path, Auth, ContentType string
	Body                            []byte
}

func newFakeAWS(t *testing.T, status int, ctype, reply string, header map[string]string) *fakeAWS {
	f := &fakeAWS{status: status, ctype: ctype, reply: reply, header: header}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recordedRequest{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b})
		f.mu.Unlock()
		for k, v := range f.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", f.ctype)
		w.WriteHeader(f.status)
		io.WriteString(w, f.reply)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAWS) requests() []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recordedRequest(nil), f.reqs...)
}

func (f *fakeAWS) config() aws.Config {
	return aws.Config{
		Region:      "eu-west-2",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  f.srv.Client(),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func TestSESSender(t *testing.T) {
	msg := Message{ID: "m1", Medium: Email, Destination: "jane@example.com",
		Subject: "Your verification code", Body: "Your verification code is 123456. ", Code: "123456"}
	html := msg
	html.Body = "<p>Code <b>777888</b></p>"
	html.Code = "777888"
	tests := []struct {
		name     string
		status   int
		reply    string
		header   map[string]string
		msg      Message
		wantErr  string
		wantPart string // "Text" or "Html"
	}{
		{name: "text email", status: 200, reply: `{"MessageId":"0100-abc"}`, msg: msg, wantPart: "Text"},
		{name: "html email", status: 200, reply: `{"MessageId":"0100-def"}`, msg: html, wantPart: "Html"},
		{name: "message rejected", status: 400, reply: `{"message":"Email address is not verified."}`,
			header: map[string]string{"X-Amzn-Errortype": "MessageRejected"}, msg: msg, wantErr: "MessageRejected"},
		{name: "server error", status: 500, reply: `{"message":"boom"}`, msg: msg, wantErr: "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS(t, tt.status, "application/json", tt.reply, tt.header)
			s, err := NewSESSender(f.config(), SESConfig{From: "no-reply@cognate.test", Endpoint: f.srv.URL, ConfigurationSet: "verif"})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), tt.msg)
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			r := reqs[0]
			if r.Method != http.MethodPost || r.Path != "/v2/email/outbound-emails" {
				t.Errorf("request %s %s", r.Method, r.Path)
			}
			if !strings.HasPrefix(r.Auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(r.Auth, "/eu-west-2/ses/") {
				t.Errorf("Authorization = %q, want a SigV4 signature for ses", r.Auth)
			}
			var in struct {
				FromEmailAddress     string
				ConfigurationSetName string
				Destination          struct{ ToAddresses []string }
				Content              struct {
					Simple struct {
						Subject struct{ Data, Charset string }
						Body    map[string]struct{ Data, Charset string }
					}
				}
			}
			if err := json.Unmarshal(r.Body, &in); err != nil {
				t.Fatalf("request body %s: %v", r.Body, err)
			}
			if in.FromEmailAddress != "no-reply@cognate.test" || in.ConfigurationSetName != "verif" {
				t.Errorf("from/config set = %q/%q", in.FromEmailAddress, in.ConfigurationSetName)
			}
			if len(in.Destination.ToAddresses) != 1 || in.Destination.ToAddresses[0] != tt.msg.Destination {
				t.Errorf("ToAddresses = %q", in.Destination.ToAddresses)
			}
			if in.Content.Simple.Subject.Data != tt.msg.Subject {
				t.Errorf("Subject = %q", in.Content.Simple.Subject.Data)
			}
			body := in.Content.Simple.Body
			if len(body) != 1 || body[tt.wantPart].Data != tt.msg.Body || body[tt.wantPart].Charset != "UTF-8" ||
				!strings.Contains(body[tt.wantPart].Data, tt.msg.Code) {
				t.Errorf("Body = %+v, want %s part %q", body, tt.wantPart, tt.msg.Body)
			}
		})
	}
}

const snsOK = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>
  <ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata>
</PublishResponse>`

const snsInvalid = `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber</Message></Error>
  <RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a1</RequestId>
</ErrorResponse>`

func TestSNSSender(t *testing.T) {
	msg := Message{ID: "m2", Medium: SMS, Destination: "+12065551212", Body: "Your verification code is 424242. ", Code: "424242"}
	tests := []struct {
		name    string
		status  int
		reply   string
		msg     Message
		wantErr string
	}{
		{name: "publish", status: 200, reply: snsOK, msg: msg},
		{name: "invalid parameter", status: 400, reply: snsInvalid, msg: msg, wantErr: "InvalidParameter"},
		{name: "server error", status: 500, reply: "<oops/>", msg: msg, wantErr: "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS(t, tt.status, "text/xml", tt.reply, nil)
			s, err := NewSNSSender(f.config(), SNSConfig{Endpoint: f.srv.URL, SenderID: "Cognate"})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), tt.msg)
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			r := reqs[0]
			if r.Method != http.MethodPost || !strings.HasPrefix(r.ContentType, "application/x-www-form-urlencoded") {
				t.Errorf("request %s %s", r.Method, r.ContentType)
			}
			if !strings.Contains(r.Auth, "/eu-west-2/sns/") {
				t.Errorf("Authorization = %q, want a SigV4 signature for sns", r.Auth)
			}
			form, err := url.ParseQuery(string(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			if form.Get("Action") != "Publish" || form.Get("PhoneNumber") != tt.msg.Destination || form.Get("Message") != tt.msg.Body {
				t.Errorf("form = %v", form)
			}
			attrs := map[string]string{}
			for i := 1; form.Get("MessageAttributes.entry."+strconv.Itoa(i)+".Name") != ""; i++ {
				p := "MessageAttributes.entry." + strconv.Itoa(i)
				attrs[form.Get(p+".Name")] = form.Get(p + ".Value.StringValue")
			}
			if attrs["AWS.SNS.SMS.SMSType"] != "Transactional" || attrs["AWS.SNS.SMS.SenderID"] != "Cognate" {
				t.Errorf("message attributes = %v (form %v)", attrs, form)
			}
		})
	}
}

func TestAWSSendersRefuseOtherMedium(t *testing.T) {
	cfg := aws.Config{Region: "eu-west-2", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	ses, err := NewSESSender(cfg, SESConfig{From: "a@b.c", Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	sns, err := NewSNSSender(cfg, SNSConfig{Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		s    Sender
		m    Medium
	}{
		{"ses refuses sms", ses, SMS},
		{"sns refuses email", sns, Email},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Send(context.Background(), Message{Medium: tt.m}); err == nil || !strings.Contains(err.Error(), "cannot send") {
				t.Fatalf("Send = %v, want a medium error", err)
			}
		})
	}
}
