package account

import (
	"encoding/json"
	"fmt"

	"github.com/emersion/go-sasl"
)

// XOAuth2Error is the JSON error a server sends as an XOAUTH2 challenge
// when it rejects the token.
type XOAuth2Error struct {
	Status  string `json:"status"`
	Schemes string `json:"schemes"`
	Scope   string `json:"scope"`
}

func (e *XOAuth2Error) Error() string {
	return fmt.Sprintf("account: XOAUTH2 token rejected (status %s): sign in again", e.Status)
}

type xoauth2Client struct {
	username string
	token    string
}

// NewXOAuth2Client returns a SASL client for the XOAUTH2 mechanism that
// Google and Microsoft document for IMAP and SMTP.
func NewXOAuth2Client(username, token string) sasl.Client {
	return &xoauth2Client{username: username, token: token}
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	ir := "user=" + c.username + "\x01auth=Bearer " + c.token + "\x01\x01"
	return string(XOAuth2), []byte(ir), nil
}

// Next replies to the error challenge with an empty response, as the
// mechanism requires, so that the server completes the exchange with a
// failure status.
func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	var failure XOAuth2Error
	if err := json.Unmarshal(challenge, &failure); err != nil {
		return nil, fmt.Errorf("account: XOAUTH2 challenge is not JSON: %w", err)
	}
	return []byte{}, nil
}
