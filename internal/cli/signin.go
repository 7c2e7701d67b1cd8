package cli

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/term"

	"github.com/cognate-idp/cognate/internal/srp"
)

func signInCommand() command {
	return command{
		name:    "sign-in",
		summary: "sign in with a password and print the tokens (InitiateAuth; Initialize-CGIPAuth)",
		synopsis: "--client-id ID --username NAME [--password PW | --password-stdin] [--client-secret S]\n" +
			"       [--auth-flow USER_PASSWORD_AUTH|USER_SRP_AUTH] [--user-pool-id ID] [--client-metadata KEY=VALUE...] " + commonSynopsis,
		example: "  TOKEN=$(cognate sign-in --region us-east-1 --endpoint-url http://127.0.0.1:9229 \\\n" +
			"      --client-id 1example23456789 --username alice --password-stdin --select AccessToken < pw.txt)",
		setup: func(inv *invocation) func(context.Context) error {
			clientID := inv.fs.String("client-id", "", "the app client `ID` (required)")
			username := inv.fs.String("username", "", "the user `name` or alias (required)")
			password := inv.fs.String("password", "", "the `password` (visible to other processes; prefer the prompt or --password-stdin)")
			pwStdin := inv.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
			secret := inv.fs.String("client-secret", "", "the app client's `secret`; SECRET_HASH is computed from it")
			flow := inv.fs.String("auth-flow", "USER_PASSWORD_AUTH", "the `flow`: USER_PASSWORD_AUTH or USER_SRP_AUTH")
			poolID := inv.fs.String("user-pool-id", "", "the user pool `ID` (required for USER_SRP_AUTH, whose proof uses the pool name)")
			var meta multiFlag
			inv.fs.Var(&meta, "client-metadata", "`KEY=VALUE` for the pre-authentication/pre-token triggers (repeatable), or a JSON object")
			inv.commonFlags()
			inv.outputFlags("AuthenticationResult", cip.InitiateAuthOutput{}, "ClientId", "Username", "AuthFlow")
			inv.selBase = "AuthenticationResult"
			return func(ctx context.Context) error {
				switch {
				case *clientID == "":
					return usagef("--client-id is required")
				case *username == "":
					return usagef("--username is required")
				case *password != "" && *pwStdin:
					return usagef("--password and --password-stdin cannot be used together")
				}
				af := types.AuthFlowType(*flow)
				switch af {
				case types.AuthFlowTypeUserPasswordAuth:
				case types.AuthFlowTypeUserSrpAuth:
					if *poolID == "" {
						return usagef("--user-pool-id is required with --auth-flow USER_SRP_AUTH")
					}
				default:
					return usagef("--auth-flow must be USER_PASSWORD_AUTH or USER_SRP_AUTH, not %q", *flow)
				}
				md, err := parseMetadata(meta)
				if err != nil {
					return err
				}
				c, err := inv.client(ctx)
				if err != nil {
					return err
				}
				pw, err := inv.password(*password, *pwStdin)
				if err != nil {
					return err
				}
				inv.paramValues["ClientId"], inv.paramValues["Username"], inv.paramValues["AuthFlow"] = *clientID, *username, *flow
				s := signIn{inv: inv, c: c, clientID: *clientID, username: *username, password: pw, secret: *secret, poolID: *poolID, meta: md}
				var res any
				var auth *types.AuthenticationResultType
				var challenge types.ChallengeNameType
				if af == types.AuthFlowTypeUserSrpAuth {
					out, err := s.srp(ctx)
					if err != nil {
						return err
					}
					res, auth, challenge = out, out.AuthenticationResult, out.ChallengeName
				} else {
					out, err := s.userPassword(ctx)
					if err != nil {
						return err
					}
					res, auth, challenge = out, out.AuthenticationResult, out.ChallengeName
				}
				if auth == nil && inv.sel != "*" {
					return fmt.Errorf("the service asked for the %s challenge, which sign-in does not answer; use --select '*' to see it", challenge)
				}
				return inv.emit(res)
			}
		},
	}
}

// password resolves the password: the flag, standard input's first line,
// or a prompt without echo when standard input is a terminal.
func (inv *invocation) password(flagValue string, fromStdin bool) (string, error) {
	switch {
	case flagValue != "":
		return flagValue, nil
	case fromStdin:
		line, err := inv.stdinReader().ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", usagef("--password-stdin: standard input is empty")
		}
		return pw, nil
	case inv.env.stdinTerminal():
		fmt.Fprint(inv.env.Stderr, "Password: ")
		b, err := term.ReadPassword(int(inv.env.Stdin.(*os.File).Fd()))
		fmt.Fprintln(inv.env.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		if len(b) == 0 {
			return "", usagef("an empty password was entered")
		}
		return string(b), nil
	}
	return "", usagef("a password is required: pass --password, --password-stdin, or run in a terminal to be asked")
}

// signIn is one sign-in attempt.
type signIn struct {
	inv                                          *invocation
	c                                            *cip.Client
	clientID, username, password, secret, poolID string
	meta                                         map[string]string
}

// secretHash is Base64(HMAC-SHA256(client secret, username ‖ client ID)),
// or "" when the client has no secret.
func secretHash(secret, username, clientID string) string {
	if secret == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (s signIn) withHash(params map[string]string, username string) map[string]string {
	if h := secretHash(s.secret, username, s.clientID); h != "" {
		params["SECRET_HASH"] = h
	}
	return params
}

func (s signIn) userPassword(ctx context.Context) (*cip.InitiateAuthOutput, error) {
	in := &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(s.clientID), ClientMetadata: s.meta,
		AuthParameters: s.withHash(map[string]string{"USERNAME": s.username, "PASSWORD": s.password}, s.username),
	}
	return call(s.inv, "InitiateAuth", in, func() (*cip.InitiateAuthOutput, error) { return s.c.InitiateAuth(ctx, in) })
}

// srp runs USER_SRP_AUTH: InitiateAuth with SRP_A, then the
// PASSWORD_VERIFIER challenge answered with the password proof.
func (s signIn) srp(ctx context.Context) (*cip.RespondToAuthChallengeOutput, error) {
	sc, err := srp.NewClient(s.inv.env.Rand, s.poolID)
	if err != nil {
		return nil, err
	}
	in := &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(s.clientID), ClientMetadata: s.meta,
		AuthParameters: s.withHash(map[string]string{"USERNAME": s.username, "SRP_A": sc.SrpAHex()}, s.username),
	}
	first, err := call(s.inv, "InitiateAuth", in, func() (*cip.InitiateAuthOutput, error) { return s.c.InitiateAuth(ctx, in) })
	if err != nil {
		return nil, err
	}
	if first.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		return &cip.RespondToAuthChallengeOutput{
			AuthenticationResult: first.AuthenticationResult, ChallengeName: first.ChallengeName,
			ChallengeParameters: first.ChallengeParameters, Session: first.Session,
		}, nil
	}
	p := first.ChallengeParameters
	userID := p["USER_ID_FOR_SRP"]
	ts, sig, err := sc.Respond(userID, s.password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], s.inv.env.Now())
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p["USERNAME"], userID)
	resp := &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ClientId: aws.String(s.clientID),
		Session: first.Session, ClientMetadata: s.meta,
		ChallengeResponses: s.withHash(map[string]string{
			"USERNAME": name, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
			"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts,
		}, name),
	}
	return call(s.inv, "RespondToAuthChallenge", resp, func() (*cip.RespondToAuthChallengeOutput, error) {
		return s.c.RespondToAuthChallenge(ctx, resp)
	})
}
