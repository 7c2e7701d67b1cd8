package branding

import (
	"bytes"
	"context"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// allClients is the ClientId of a pool's own customization, the one every
// client without its own falls back on.
const allClients = "ALL"

// MaxImageBytes is the largest logo SetUICustomization accepts (100 KB).
const MaxImageBytes = 100 * 1024

// uiDoc is a stored UI customization; the pool, client and times come from
// the item.
type uiDoc struct {
	CSS   string `json:"css,omitempty"`
	Image []byte `json:"image,omitempty"`
	Ext   string `json:"ext,omitempty"` // "png" or "jpg"
}

// imageExt returns the file extension of a PNG or JPEG image, or an error
// for anything else or a file over MaxImageBytes.
//
// Unconfirmed: the messages.
func imageExt(img []byte) (string, error) {
	if len(img) > MaxImageBytes {
		return "", cognito.Errorf(cognito.InvalidParameter, "The image file must not be larger than %d bytes.", MaxImageBytes)
	}
	switch {
	case bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")):
		return "png", nil
	case bytes.HasPrefix(img, []byte{0xff, 0xd8, 0xff}):
		return "jpg", nil
	}
	return "", cognito.New(cognito.InvalidParameter, "The image file must be a PNG or JPEG image.")
}

// uiTarget checks the pool and, for a client ID other than "" and "ALL",
// the client; it returns the item ID: "" for the pool's customization.
func (s *Service) uiTarget(tx store.Tx, poolID, clientID string) (string, error) {
	if _, err := s.LoadPool(tx, poolID); err != nil {
		return "", err
	}
	if clientID == "" || clientID == allClients {
		return "", nil
	}
	if _, err := s.LoadClient(tx, poolID, clientID); err != nil {
		return "", err
	}
	return clientID, nil
}

// cssVersion names a version of a customization by its modification time.
// Unconfirmed: Cognito's CSSVersion looks like a timestamp; its exact form
// is not documented.
func cssVersion(it store.Item) string { return it.Modified.UTC().Format("20060102150405") }

func (s *Service) uiType(poolID, id string, doc uiDoc, it store.Item) *model.UICustomizationType {
	client := id
	if client == "" {
		client = allClients
	}
	out := &model.UICustomizationType{
		UserPoolId:       model.String(poolID),
		ClientId:         model.String(client),
		CSSVersion:       model.String(cssVersion(it)),
		CreationDate:     model.NewTime(it.Created),
		LastModifiedDate: model.NewTime(it.Modified),
	}
	if doc.CSS != "" {
		out.CSS = model.String(doc.CSS)
	}
	if len(doc.Image) > 0 {
		// Unconfirmed: Cognito answers with a CloudFront URL of this
		// shape; Cognate serves it itself (UIImage).
		out.ImageUrl = model.String(s.PublicURL + "/ui-customization/" + poolID + "/" + client + "/" +
			cssVersion(it) + "/assets/images/image." + doc.Ext)
	}
	return out
}

// SetUICustomization replaces the classic hosted UI customization of a
// pool (no ClientId, or "ALL") or of one app client: the CSS and the logo
// are set together, a part left out is removed.
//
// Unconfirmed: a request with neither CSS nor ImageFile removes the
// customization, so that a client falls back on the pool's again; and
// Cognito's requirement of a pool domain is not enforced, so a pool can be
// customized before its domain is created.
func (s *Service) SetUICustomization(ctx context.Context, in *model.SetUICustomizationRequest) (*model.SetUICustomizationResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	doc := uiDoc{CSS: model.StringValue(in.CSS), Image: in.ImageFile}
	var out *model.UICustomizationType
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		id, err := s.uiTarget(tx, poolID, model.StringValue(in.ClientId))
		if err != nil {
			return err
		}
		if doc.CSS != "" {
			if err := checkCSS(doc.CSS); err != nil {
				return err
			}
		}
		if len(doc.Image) > 0 {
			if doc.Ext, err = imageExt(doc.Image); err != nil {
				return err
			}
		}
		if doc.CSS == "" && len(doc.Image) == 0 {
			if err := tx.DeleteItem(poolID, core.UICustomizationKind, id); err != nil && !core.IsNotFound(err) {
				return err
			}
			out = emptyUI(poolID, id)
			return nil
		}
		it, err := s.PutItemDoc(tx, poolID, core.UICustomizationKind, id, doc)
		if err != nil {
			return err
		}
		out = s.uiType(poolID, id, doc, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.SetUICustomizationResponse{UICustomization: out}, nil
}

func emptyUI(poolID, id string) *model.UICustomizationType {
	if id == "" {
		id = allClients
	}
	return &model.UICustomizationType{UserPoolId: model.String(poolID), ClientId: model.String(id)}
}

// GetUICustomization returns the customization of a pool or of an app
// client; a client without its own has the pool's.
//
// Unconfirmed: the pool's customization, when a client falls back on it,
// is returned with ClientId "ALL"; with none set the answer holds only the
// IDs asked for.
func (s *Service) GetUICustomization(ctx context.Context, in *model.GetUICustomizationRequest) (*model.GetUICustomizationResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	var out *model.UICustomizationType
	err := s.Store.View(ctx, func(tx store.Tx) error {
		id, err := s.uiTarget(tx, poolID, model.StringValue(in.ClientId))
		if err != nil {
			return err
		}
		used, it, doc, found, err := uiFor(tx, poolID, id)
		if err != nil {
			return err
		}
		if found {
			out = s.uiType(poolID, used, doc, it)
		} else {
			out = emptyUI(poolID, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.GetUICustomizationResponse{UICustomization: out}, nil
}

// uiFor returns the customization that applies to client id ("" for the
// pool): the client's own or else the pool's, with the ID it is stored
// under; found is false when neither exists.
func uiFor(tx store.Tx, poolID, id string) (used string, it store.Item, doc uiDoc, found bool, err error) {
	ids := []string{""}
	if id != "" {
		ids = []string{id, ""}
	}
	for _, try := range ids {
		it, found, err = core.GetItemDoc(tx, poolID, core.UICustomizationKind, try, &doc)
		if err != nil || found {
			return try, it, doc, found, err
		}
	}
	return "", it, doc, false, nil
}

// UIImage returns the logo an ImageUrl names, with its media type: the
// image of the customization of clientID ("ALL" for the pool's) while
// cssVersion is its current version. found is false for anything else,
// so an old URL stops working once the customization changes, as a
// versioned CDN path would.
func (s *Service) UIImage(ctx context.Context, poolID, clientID, version string) (img []byte, mediaType string, found bool, err error) {
	id := clientID
	if id == allClients {
		id = ""
	}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		var doc uiDoc
		it, ok, err := core.GetItemDoc(tx, poolID, core.UICustomizationKind, id, &doc)
		if err != nil || !ok || len(doc.Image) == 0 || cssVersion(it) != version {
			return err
		}
		img, mediaType, found = doc.Image, imageTypes[doc.Ext], true
		return nil
	})
	return img, mediaType, found, err
}

// imageTypes are the media types of the logo extensions.
var imageTypes = map[string]string{"png": "image/png", "jpg": "image/jpeg"}
