// Package pdfseal makes the password-protected copy of a message: a PDF
// encrypted with AES-256 (ISO 32000-2 security handler revision 6) that
// shows the message text and embeds its attachments, and the
// phone-readable password that opens it. Everything happens in memory;
// no plaintext reaches a file.
package pdfseal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// MessageFileName is the name of the embedded UTF-8 copy of the message
// text. The page text is limited to Latin-1, so this copy is the exact one.
const MessageFileName = "message.txt"

// Attachment is one file to embed in the PDF.
type Attachment struct {
	Name string
	Data []byte
}

// Document is the content of a protected PDF.
type Document struct {
	// Text is shown on the pages and embedded as MessageFileName.
	Text        string
	Attachments []Attachment
	Created     time.Time
}

// ErrWeakPassword is returned when a password has fewer than 13 base32
// symbols, which cannot carry 64 bits of entropy.
var ErrWeakPassword = errors.New("pdfseal: password is too short for 64 bits of entropy; make one with NewPassword")

// Seal returns doc as a PDF encrypted with AES-256 under password. The
// owner password is random and discarded, so nobody can change the
// permissions, and rand supplies it. The unencrypted document exists only
// in memory.
func Seal(doc Document, password string, rand io.Reader) ([]byte, error) {
	if passwordBits(password) < minPasswordEntropy {
		return nil, ErrWeakPassword
	}
	owner, err := NewPassword(rand)
	if err != nil {
		return nil, err
	}

	// NewStatelessConfiguration reads and writes no configuration
	// directory, unlike NewDefaultConfiguration.
	conf := model.NewStatelessConfiguration()
	conf.Offline = true
	conf.Cmd = model.ENCRYPT
	conf.EncryptUsingAES = true
	conf.EncryptKeyLength = 256
	conf.UserPW = password
	conf.OwnerPW = owner
	conf.Permissions = model.PermissionsPrint

	ctx, err := api.ReadContext(context.Background(), bytes.NewReader(layoutPDF(doc.Text)), conf)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: read the generated page layout: %w", err)
	}

	created := doc.Created
	files := append([]Attachment{{Name: MessageFileName, Data: []byte(doc.Text)}}, doc.Attachments...)
	seen := map[string]bool{}
	for i, f := range files {
		id := uniqueName(f.Name, i, seen)
		a := model.Attachment{Reader: bytes.NewReader(f.Data), ID: id, FileName: id, ModTime: &created}
		if err := ctx.AddAttachment(context.Background(), a, false); err != nil {
			return nil, fmt.Errorf("pdfseal: embed attachment %d: %w", i, err)
		}
	}

	var out bytes.Buffer
	if err := api.WriteContext(context.Background(), ctx, &out); err != nil {
		return nil, fmt.Errorf("pdfseal: write the encrypted PDF: %w", err)
	}
	return out.Bytes(), nil
}

// uniqueName returns name, or a numbered form of it when an earlier file
// had the same name, because the PDF name tree keys files by name.
func uniqueName(name string, index int, seen map[string]bool) string {
	if name == "" {
		name = fmt.Sprintf("attachment-%d", index)
	}
	candidate := name
	for n := 2; seen[candidate]; n++ {
		candidate = fmt.Sprintf("%d-%s", n, name)
	}
	seen[candidate] = true
	return candidate
}
