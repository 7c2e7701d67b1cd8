package pools

import (
	"context"
	"maps"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// account is the AWS account every pool ARN names.
const account = core.AccountID

// maxTags is Cognito's limit of tags per user pool.
const maxTags = 50

// poolARN returns the ARN of pool id, as DescribeUserPool shows it.
func (s *Service) poolARN(id string) string {
	return "arn:aws:cognito-idp:" + s.Region + ":" + account + ":userpool/" + id
}

// Unconfirmed: Cognito's texts for a malformed resource ARN and for too
// many tags, and which error a well-formed ARN of another region or
// account gets. Cognate answers an ARN that is not a user pool ARN with
// InvalidParameterException, and a user pool ARN it does not hold (another
// region, another account, no such pool) with the ResourceNotFoundException
// that names the pool, as DescribeUserPool does.
func invalidARN(arn string) error {
	return cognito.Errorf(cognito.InvalidParameter, "Invalid ResourceArn: %s is not a user pool ARN.", arn)
}

func tooManyTags() error {
	return cognito.Errorf(cognito.InvalidParameter, "A user pool can have at most %d tags.", maxTags)
}

// poolOfARN returns the ID of the pool a user pool ARN names, or the error
// for an ARN that cannot name one of this server's pools.
func (s *Service) poolOfARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cognito-idp" {
		return "", invalidARN(arn)
	}
	id, ok := strings.CutPrefix(parts[5], "userpool/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", invalidARN(arn)
	}
	if parts[1] != "aws" || parts[3] != s.Region || parts[4] != account {
		return "", cognito.Errorf(cognito.ResourceNotFound, "User pool %s does not exist.", id)
	}
	return id, nil
}

// checkTagCount refuses a tag set over Cognito's limit.
func checkTagCount(tags map[string]string) error {
	if len(tags) > maxTags {
		return tooManyTags()
	}
	return nil
}

// TagResource adds tags to a user pool, replacing the values of keys it
// already has. The tags live in the pool's document, so DescribeUserPool's
// UserPoolTags and ListTagsForResource are the same set.
func (s *Service) TagResource(ctx context.Context, in *model.TagResourceRequest) (*model.TagResourceResponse, error) {
	id, err := s.poolOfARN(model.StringValue(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	err = s.changeTags(ctx, id, func(tags map[string]string) {
		maps.Copy(tags, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &model.TagResourceResponse{}, nil
}

// UntagResource removes tags from a user pool; keys it does not have are
// ignored.
func (s *Service) UntagResource(ctx context.Context, in *model.UntagResourceRequest) (*model.UntagResourceResponse, error) {
	id, err := s.poolOfARN(model.StringValue(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	err = s.changeTags(ctx, id, func(tags map[string]string) {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
	})
	if err != nil {
		return nil, err
	}
	return &model.UntagResourceResponse{}, nil
}

// ListTagsForResource returns a user pool's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *model.ListTagsForResourceRequest) (*model.ListTagsForResourceResponse, error) {
	id, err := s.poolOfARN(model.StringValue(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	out := &model.ListTagsForResourceResponse{Tags: map[string]string{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, id)
		if err != nil {
			return err
		}
		maps.Copy(out.Tags, p.Cfg.UserPoolTags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changeTags edits a pool's tags in one transaction. Tagging is not a
// change of the pool's settings, so LastModifiedDate stays as it was.
func (s *Service) changeTags(ctx context.Context, id string, edit func(tags map[string]string)) error {
	return s.updatePool(ctx, id, false, func(cfg *model.UserPoolType) error {
		tags := maps.Clone(cfg.UserPoolTags)
		if tags == nil {
			tags = map[string]string{}
		}
		edit(tags)
		if err := checkTagCount(tags); err != nil {
			return err
		}
		cfg.UserPoolTags = tags
		return nil
	})
}
