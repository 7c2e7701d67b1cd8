package cli

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const commonSynopsis = "[--region R] [--endpoint-url URL] [--profile P] [--profile-location FILE] [--output json|text|table] [--select S]"

func updateUserAttributeCommand() command {
	return command{
		name:    "update-user-attribute",
		summary: "update the signed-in user's attributes (UpdateUserAttributes; Update-CGIPUserAttribute)",
		synopsis: "--access-token TOKEN|- --user-attribute NAME=VALUE... [--client-metadata KEY=VALUE...]\n" +
			"       [--passthru] [--force] " + commonSynopsis,
		example: "  cognate sign-in --endpoint-url http://127.0.0.1:9229 --region us-east-1 --client-id ID --username alice --select AccessToken |\n" +
			"    cognate update-user-attribute --endpoint-url http://127.0.0.1:9229 --region us-east-1 --access-token - \\\n" +
			"      --user-attribute email=alice@example.com --user-attribute nickname= --client-metadata source=cli",
		setup: func(inv *invocation) func(context.Context) error {
			token := inv.accessTokenFlag()
			var attrs, meta multiFlag
			inv.fs.Var(&attrs, "user-attribute", "an attribute to set, `NAME=VALUE` (repeatable); NAME= sends a blank value, which deletes it; or a JSON list [{\"Name\":..,\"Value\":..}]")
			inv.fs.Var(&meta, "client-metadata", "`KEY=VALUE` for the CustomMessage trigger (repeatable), or a JSON object")
			inv.commonFlags()
			inv.outputFlags("CodeDeliveryDetailsList", cip.UpdateUserAttributesOutput{}, "AccessToken", "UserAttribute", "ClientMetadata")
			inv.passthruFlag("AccessToken")
			inv.forceFlag()
			return func(ctx context.Context) error {
				list, err := parseAttributes(attrs)
				if err != nil {
					return err
				}
				if len(list) == 0 {
					return usagef("--user-attribute is required")
				}
				md, err := parseMetadata(meta)
				if err != nil {
					return err
				}
				c, err := inv.client(ctx)
				if err != nil {
					return err
				}
				tok, err := inv.accessToken(*token)
				if err != nil {
					return err
				}
				names := make([]string, len(list))
				for i, a := range list {
					names[i] = *a.Name
				}
				if err := inv.confirm("Update-CGIPUserAttribute (UpdateUserAttributes)", strings.Join(names, ", ")); err != nil {
					return err
				}
				inv.paramValues["AccessToken"] = tok
				inv.paramValues["UserAttribute"] = list
				inv.paramValues["ClientMetadata"] = md
				in := &cip.UpdateUserAttributesInput{AccessToken: aws.String(tok), UserAttributes: list, ClientMetadata: md}
				out, err := call(inv, "UpdateUserAttributes", in, func() (*cip.UpdateUserAttributesOutput, error) {
					return c.UpdateUserAttributes(ctx, in)
				})
				if err != nil {
					return err
				}
				return inv.emit(out)
			}
		},
	}
}

func getUserCommand() command {
	return command{
		name:     "get-user",
		summary:  "show the signed-in user (GetUser; Get-CGIPUser)",
		synopsis: "--access-token TOKEN|- " + commonSynopsis,
		example:  "  cognate get-user --region us-east-1 --endpoint-url http://127.0.0.1:9229 --access-token \"$TOKEN\" --select UserAttributes --output table",
		setup: func(inv *invocation) func(context.Context) error {
			token := inv.accessTokenFlag()
			inv.commonFlags()
			inv.outputFlags("*", cip.GetUserOutput{}, "AccessToken")
			return func(ctx context.Context) error {
				c, tok, err := inv.clientAndToken(ctx, *token)
				if err != nil {
					return err
				}
				in := &cip.GetUserInput{AccessToken: aws.String(tok)}
				out, err := call(inv, "GetUser", in, func() (*cip.GetUserOutput, error) { return c.GetUser(ctx, in) })
				if err != nil {
					return err
				}
				return inv.emit(out)
			}
		},
	}
}

func getVerificationCodeCommand() command {
	return command{
		name:     "get-user-attribute-verification-code",
		summary:  "send a code to verify an attribute (GetUserAttributeVerificationCode; Get-CGIPUserAttributeVerificationCode)",
		synopsis: "--access-token TOKEN|- --attribute-name NAME [--client-metadata KEY=VALUE...] " + commonSynopsis,
		example:  "  cognate get-user-attribute-verification-code --region us-east-1 --endpoint-url http://127.0.0.1:9229 --access-token \"$TOKEN\" --attribute-name email",
		setup: func(inv *invocation) func(context.Context) error {
			token := inv.accessTokenFlag()
			name := inv.fs.String("attribute-name", "", "the attribute `name` to verify, e.g. email or phone_number (required)")
			var meta multiFlag
			inv.fs.Var(&meta, "client-metadata", "`KEY=VALUE` for the CustomMessage trigger (repeatable), or a JSON object")
			inv.commonFlags()
			inv.outputFlags("CodeDeliveryDetails", cip.GetUserAttributeVerificationCodeOutput{}, "AccessToken", "AttributeName", "ClientMetadata")
			return func(ctx context.Context) error {
				if *name == "" {
					return usagef("--attribute-name is required")
				}
				md, err := parseMetadata(meta)
				if err != nil {
					return err
				}
				c, tok, err := inv.clientAndToken(ctx, *token)
				if err != nil {
					return err
				}
				inv.paramValues["AttributeName"], inv.paramValues["ClientMetadata"] = *name, md
				in := &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(tok), AttributeName: name, ClientMetadata: md}
				out, err := call(inv, "GetUserAttributeVerificationCode", in, func() (*cip.GetUserAttributeVerificationCodeOutput, error) {
					return c.GetUserAttributeVerificationCode(ctx, in)
				})
				if err != nil {
					return err
				}
				return inv.emit(out)
			}
		},
	}
}

func verifyUserAttributeCommand() command {
	return command{
		name:     "verify-user-attribute",
		summary:  "confirm an attribute with the code sent to it (VerifyUserAttribute; Confirm-CGIPUserAttribute)",
		synopsis: "--access-token TOKEN|- --attribute-name NAME --code CODE [--passthru] " + commonSynopsis,
		example:  "  cognate verify-user-attribute --region us-east-1 --endpoint-url http://127.0.0.1:9229 --access-token \"$TOKEN\" --attribute-name email --code 123456",
		setup: func(inv *invocation) func(context.Context) error {
			token := inv.accessTokenFlag()
			name := inv.fs.String("attribute-name", "", "the attribute `name` the code was sent for (required)")
			code := inv.fs.String("code", "", "the verification `code` (required)")
			inv.commonFlags()
			inv.outputFlags("*", cip.VerifyUserAttributeOutput{}, "AccessToken", "AttributeName")
			inv.passthruFlag("AccessToken")
			return func(ctx context.Context) error {
				if *name == "" {
					return usagef("--attribute-name is required")
				}
				if *code == "" {
					return usagef("--code is required")
				}
				c, tok, err := inv.clientAndToken(ctx, *token)
				if err != nil {
					return err
				}
				inv.paramValues["AttributeName"] = *name
				in := &cip.VerifyUserAttributeInput{AccessToken: aws.String(tok), AttributeName: name, Code: code}
				out, err := call(inv, "VerifyUserAttribute", in, func() (*cip.VerifyUserAttributeOutput, error) {
					return c.VerifyUserAttribute(ctx, in)
				})
				if err != nil {
					return err
				}
				return inv.emit(out)
			}
		},
	}
}

func deleteUserAttributesCommand() command {
	return command{
		name:     "delete-user-attributes",
		summary:  "delete attributes of the signed-in user (DeleteUserAttributes; Remove-CGIPUserAttribute)",
		synopsis: "--access-token TOKEN|- --user-attribute-name NAME... [--passthru] [--force] " + commonSynopsis,
		example:  "  cognate delete-user-attributes --region us-east-1 --endpoint-url http://127.0.0.1:9229 --access-token \"$TOKEN\" --user-attribute-name nickname --force",
		setup: func(inv *invocation) func(context.Context) error {
			token := inv.accessTokenFlag()
			var names multiFlag
			inv.fs.Var(&names, "user-attribute-name", "an attribute `name` to delete (repeatable, required)")
			inv.commonFlags()
			inv.outputFlags("*", cip.DeleteUserAttributesOutput{}, "AccessToken", "UserAttributeName")
			inv.passthruFlag("AccessToken")
			inv.forceFlag()
			return func(ctx context.Context) error {
				if len(names) == 0 {
					return usagef("--user-attribute-name is required")
				}
				c, tok, err := inv.clientAndToken(ctx, *token)
				if err != nil {
					return err
				}
				if err := inv.confirm("Remove-CGIPUserAttribute (DeleteUserAttributes)", names.String()); err != nil {
					return err
				}
				inv.paramValues["UserAttributeName"] = []string(names)
				in := &cip.DeleteUserAttributesInput{AccessToken: aws.String(tok), UserAttributeNames: names}
				out, err := call(inv, "DeleteUserAttributes", in, func() (*cip.DeleteUserAttributesOutput, error) {
					return c.DeleteUserAttributes(ctx, in)
				})
				if err != nil {
					return err
				}
				return inv.emit(out)
			}
		},
	}
}

func globalSignOutCommand() command {
	return command{
		name:     "global-sign-out",
		summary:  "revoke all of the signed-in user's tokens (GlobalSignOut; Start-CGIPGlobalSignOut)",
		synopsis: "--access-token TOKEN|- [--passthru] [--force] " + commonSynopsis,
		example:  "  cognate global-sign-out --region us-east-1 --endpoint-url http://127.0.0.1:9229 --access-token \"$TOKEN\" --force",
		setup: func(inv *invocation) func(context.Context) error {
			token := inv.accessTokenFlag()
			inv.commonFlags()
			inv.outputFlags("*", cip.GlobalSignOutOutput{}, "AccessToken")
			inv.passthruFlag("AccessToken")
			inv.forceFlag()
			return func(ctx context.Context) error {
				c, tok, err := inv.clientAndToken(ctx, *token)
				if err != nil {
					return err
				}
				if err := inv.confirm("Start-CGIPGlobalSignOut (GlobalSignOut)", "the signed-in user"); err != nil {
					return err
				}
				in := &cip.GlobalSignOutInput{AccessToken: aws.String(tok)}
				out, err := call(inv, "GlobalSignOut", in, func() (*cip.GlobalSignOutOutput, error) {
					return c.GlobalSignOut(ctx, in)
				})
				if err != nil {
					return err
				}
				return inv.emit(out)
			}
		},
	}
}

// clientAndToken resolves the client (usage errors first) and then the
// access token, recording it for --select ^AccessToken.
func (inv *invocation) clientAndToken(ctx context.Context, flagValue string) (*cip.Client, string, error) {
	c, err := inv.client(ctx)
	if err != nil {
		return nil, "", err
	}
	tok, err := inv.accessToken(flagValue)
	if err != nil {
		return nil, "", err
	}
	inv.paramValues["AccessToken"] = tok
	return c, tok, nil
}

// parseAttributes reads --user-attribute values: NAME=VALUE, or a JSON
// list of {"Name","Value"} objects.
func parseAttributes(values []string) ([]types.AttributeType, error) {
	var list []types.AttributeType
	for _, v := range values {
		if strings.HasPrefix(strings.TrimSpace(v), "[") {
			var js []struct{ Name, Value *string }
			if err := json.Unmarshal([]byte(v), &js); err != nil {
				return nil, usagef("--user-attribute %q: not a JSON list of {\"Name\":..,\"Value\":..}: %v", v, err)
			}
			for _, a := range js {
				if a.Name == nil || *a.Name == "" {
					return nil, usagef("--user-attribute %q: every element needs a Name", v)
				}
				val := ""
				if a.Value != nil {
					val = *a.Value
				}
				list = append(list, types.AttributeType{Name: a.Name, Value: aws.String(val)})
			}
			continue
		}
		name, val, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, usagef("--user-attribute %q: want NAME=VALUE (NAME= deletes the attribute)", v)
		}
		list = append(list, types.AttributeType{Name: aws.String(name), Value: aws.String(val)})
	}
	return list, nil
}

// parseMetadata reads --client-metadata values: KEY=VALUE or a JSON object.
func parseMetadata(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	md := map[string]string{}
	for _, v := range values {
		if strings.HasPrefix(strings.TrimSpace(v), "{") {
			var js map[string]string
			if err := json.Unmarshal([]byte(v), &js); err != nil {
				return nil, usagef("--client-metadata %q: not a JSON object of strings: %v", v, err)
			}
			for k, x := range js {
				md[k] = x
			}
			continue
		}
		k, x, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, usagef("--client-metadata %q: want KEY=VALUE", v)
		}
		md[k] = x
	}
	return md, nil
}
