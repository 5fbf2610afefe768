package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // registers the charsets text parts may use
	"github.com/emersion/go-message/textproto"
)

// EntityOpener opens one cryptographic layer of a MIME entity: it
// decrypts an encrypted entity or verifies a signed one and returns the
// inner entity. crypto/pgp and crypto/smime provide them.
type EntityOpener func(entity []byte) (*Layer, error)

// InlineOpener opens inline OpenPGP armor in the decoded text of one
// text/plain part and returns the text with the armored block replaced.
type InlineOpener func(text []byte) ([]byte, PartStatus, error)

// Limits bound the work one message can cause, so crafted mail cannot
// hang or exhaust the client.
type Limits struct {
	MaxDepth int // nested multiparts and cryptographic layers
	MaxParts int // body parts in the whole message
	MaxSize  int // bytes of the raw message
}

// DefaultLimits are estimates chosen far above the nesting and part
// counts of ordinary mail.
var DefaultLimits = Limits{MaxDepth: 32, MaxParts: 1000, MaxSize: 100 << 20}

// Reader opens received messages with whatever schemes it is given.
type Reader struct {
	OpenPGP   EntityOpener
	SMIME     EntityOpener
	InlinePGP InlineOpener
	Limits    Limits
}

// Part is one node of an opened MIME tree.
type Part struct {
	MediaType string
	Params    map[string]string
	// Filename comes from the sender; show it only as a file name, never
	// as part of a security statement.
	Filename   string
	Attachment bool
	// Body is the decoded content of a leaf, text converted to UTF-8.
	Body     []byte
	Children []*Part
	Status   PartStatus
	// Hidden marks a legacy display part that repeats protected headers.
	Hidden bool
	// Problem is set when the part could not be opened; Body is then nil
	// and nothing of its plaintext is shown.
	Problem error
}

// Leaves returns the parts that are displayed, in order.
func (p *Part) Leaves() []*Part {
	if p.Hidden {
		return nil
	}
	if len(p.Children) == 0 {
		return []*Part{p}
	}
	var out []*Part
	for _, c := range p.Children {
		out = append(out, c.Leaves()...)
	}
	return out
}

// Message is an opened message.
type Message struct {
	// Header is the header to display: the outer one, with the protected
	// header fields in place of the outer ones when encryption or a good
	// signature authenticated them.
	Header textproto.Header
	Outer  textproto.Header
	// HeaderProtected reports that Header came from protected headers.
	HeaderProtected bool
	Root            *Part
	Encryption      Coverage
	Signature       Coverage
	// Problems lists what went wrong anywhere in the message.
	Problems []error
}

var (
	ErrMessageTooLarge = errors.New("crypto: message too large")
	ErrTooDeep         = errors.New("crypto: MIME structure nested too deep")
	// ErrFromMismatch means the protected From differs from the outer
	// one, a sign of a forwarded or forged message.
	ErrFromMismatch = errors.New("crypto: protected From differs from the outer From")
	errNoScheme     = errors.New("crypto: no support configured for this scheme")
)

type walker struct {
	r         *Reader
	parts     int
	protected *textproto.Header
	protAuth  bool
	problems  []error
}

// Open parses raw, opens every cryptographic layer it can, and reports
// the status of each displayed part.
func (r Reader) Open(raw []byte) (*Message, error) {
	lim := r.Limits
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	if len(raw) > lim.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrMessageTooLarge, len(raw), lim.MaxSize)
	}
	outer, _, err := splitEntity(raw)
	if err != nil {
		return nil, err
	}
	w := &walker{r: &Reader{OpenPGP: r.OpenPGP, SMIME: r.SMIME, InlinePGP: r.InlinePGP, Limits: lim}}
	root := w.walk(raw, PartStatus{}, 0, false, true)

	m := &Message{Outer: outer, Header: outer.Copy(), Root: root, Problems: w.problems}
	if w.protected != nil && w.protAuth {
		m.applyProtected(*w.protected)
	}
	m.checkSigners()
	m.Encryption, m.Signature = coverage(root.Leaves())
	return m, nil
}

func (m *Message) applyProtected(inner textproto.Header) {
	if of, pf := m.Outer.Get("From"), inner.Get("From"); of != "" && pf != "" && !sameAddress(of, pf) {
		m.Problems = append(m.Problems, ErrFromMismatch)
	}
	for _, k := range protectedHeaderFields {
		if vals := inner.Values(k); len(vals) > 0 {
			m.Header.Del(k)
			for _, v := range vals {
				m.Header.Add(k, v)
			}
		}
	}
	m.HeaderProtected = true
}

// checkSigners sets MatchesFrom on every signature.
func (m *Message) checkSigners() {
	from := m.Header.Get("From")
	var visit func(p *Part)
	visit = func(p *Part) {
		if p.Status.Signature.State != NotSigned {
			p.Status.Signature.MatchesFrom = from != "" && sameAddress(p.Status.Signature.Signer, from)
		}
		for _, c := range p.Children {
			visit(c)
		}
	}
	visit(m.Root)
}

// coverage counts a part as signed only when a good signature by the
// sender covers it, because a valid signature by another person does not
// make the message signed by its sender.
func coverage(leaves []*Part) (enc, sig Coverage) {
	var nEnc, nSig int
	for _, l := range leaves {
		if l.Status.Encryption.Scheme != SchemeNone {
			nEnc++
		}
		if l.Status.Signature.State == GoodSignature && l.Status.Signature.MatchesFrom {
			nSig++
		}
	}
	return level(nEnc, len(leaves)), level(nSig, len(leaves))
}

func level(n, total int) Coverage {
	switch {
	case n == 0:
		return CoverageNone
	case n == total:
		return CoverageFull
	default:
		return CoveragePartial
	}
}

// sameAddress compares the addr-spec of two address strings; either may
// carry a display name.
func sameAddress(a, b string) bool {
	return addrSpec(a) != "" && addrSpec(a) == addrSpec(b)
}

func addrSpec(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>"))
}

func (w *walker) fail(p *Part, err error) *Part {
	p.Problem = err
	w.problems = append(w.problems, err)
	return p
}

// walk opens entity. payloadRoot marks the inner entity of a
// cryptographic layer. rootChain marks an entity reached from the message
// root through cryptographic layers only, because only there do protected
// headers apply to the whole message.
func (w *walker) walk(entity []byte, st PartStatus, depth int, payloadRoot, rootChain bool) *Part {
	w.parts++
	h, body, err := splitEntity(entity)
	if err != nil {
		return w.fail(&Part{MediaType: "application/octet-stream", Status: st}, err)
	}
	t, params := mediaType(h)
	p := &Part{MediaType: t, Params: params, Status: st, Filename: filename(h, params)}
	p.Attachment = strings.HasPrefix(strings.ToLower(h.Get("Content-Disposition")), "attachment")

	switch {
	case depth > w.r.Limits.MaxDepth:
		return w.fail(p, ErrTooDeep)
	case w.parts > w.r.Limits.MaxParts:
		return w.fail(p, fmt.Errorf("crypto: more than %d MIME parts", w.r.Limits.MaxParts))
	}

	if payloadRoot && rootChain && isProtectedPayload(params) && w.protected == nil {
		ph := protectedHeader(h)
		w.protected = &ph
		w.protAuth = st.Encryption.Scheme != SchemeNone || st.Signature.State == GoodSignature
	}

	if scheme, opener := w.schemeFor(t, params, p.Filename, body); scheme != SchemeNone {
		return w.openLayer(p, opener, entity, st, depth, rootChain)
	}

	if strings.HasPrefix(t, "multipart/") {
		children, err := splitMultipart(body, params["boundary"], w.r.Limits.MaxParts)
		if err != nil {
			return w.fail(p, err)
		}
		for i, c := range children {
			child := w.walk(c, st, depth+1, false, false)
			if i == 0 && payloadRoot && rootChain && isLegacyDisplay(child.MediaType, child.Params) {
				child.Hidden = true
			}
			p.Children = append(p.Children, child)
		}
		return p
	}
	return w.leaf(p, h, body)
}

// schemeFor picks the scheme that protects an entity, if any.
func (w *walker) schemeFor(t string, params map[string]string, name string, body []byte) (Scheme, EntityOpener) {
	protocol := strings.ToLower(params["protocol"])
	switch {
	case t == "multipart/encrypted" && protocol == "application/pgp-encrypted",
		t == "multipart/signed" && protocol == "application/pgp-signature",
		t == "multipart/mixed" && looksLikeMangledPGP(body, params["boundary"]):
		return SchemeOpenPGP, w.r.OpenPGP
	case t == "multipart/signed" && (protocol == "application/pkcs7-signature" || protocol == "application/x-pkcs7-signature"),
		t == "application/pkcs7-mime", t == "application/x-pkcs7-mime",
		t == "application/octet-stream" && strings.HasSuffix(strings.ToLower(name), ".p7m"):
		return SchemeSMIME, w.r.SMIME
	}
	return SchemeNone, nil
}

// looksLikeMangledPGP recognises PGP/MIME that Microsoft Exchange turned
// into multipart/mixed: an optional empty text/plain part, then the
// application/pgp-encrypted version part and the encrypted data as the
// only other children. A forwarded encrypted message with text around it
// does not have that shape and stays a plain multipart.
func looksLikeMangledPGP(body []byte, boundary string) bool {
	if !bytes.Contains(body, []byte("application/pgp-encrypted")) {
		return false
	}
	children, err := splitMultipart(body, boundary, 4)
	if err != nil {
		return false
	}
	if len(children) == 3 {
		h, rest, err := splitEntity(children[0])
		if t, _ := mediaType(h); err != nil || t != "text/plain" || len(bytes.TrimSpace(rest)) != 0 {
			return false
		}
		children = children[1:]
	}
	if len(children) != 2 {
		return false
	}
	h0, _, err0 := splitEntity(children[0])
	h1, data, err1 := splitEntity(children[1])
	if err0 != nil || err1 != nil {
		return false
	}
	t0, _ := mediaType(h0)
	t1, _ := mediaType(h1)
	return t0 == "application/pgp-encrypted" && t1 == "application/octet-stream" &&
		bytes.Contains(data, []byte("-----BEGIN PGP MESSAGE-----"))
}

func (w *walker) openLayer(p *Part, opener EntityOpener, entity []byte, st PartStatus, depth int, rootChain bool) *Part {
	if opener == nil {
		return w.fail(p, errNoScheme)
	}
	layer, err := opener(entity)
	if err != nil {
		return w.fail(p, err)
	}
	inner := combine(st, layer.Status)
	return w.walk(layer.Entity, inner, depth+1, true, rootChain)
}

// combine stacks the status of an inner layer on the status of the
// layers around it.
func combine(outer, inner PartStatus) PartStatus {
	out := outer
	if inner.Encryption.Scheme != SchemeNone {
		out.Encryption = inner.Encryption
	}
	if inner.Signature.State != NotSigned {
		out.Signature = inner.Signature
	}
	return out
}

const maxLeafBytes = 64 << 20

func (w *walker) leaf(p *Part, h textproto.Header, body []byte) *Part {
	e, err := message.New(message.Header{Header: h}, bytes.NewReader(body))
	if err != nil && e == nil {
		return w.fail(p, fmt.Errorf("crypto: decoding part: %w", err))
	}
	// An unknown charset or transfer encoding still yields the raw body,
	// which is shown as it is.
	decoded, err := io.ReadAll(io.LimitReader(e.Body, maxLeafBytes+1))
	if err != nil {
		return w.fail(p, fmt.Errorf("crypto: decoding part: %w", err))
	}
	if len(decoded) > maxLeafBytes {
		return w.fail(p, fmt.Errorf("crypto: part over %d bytes", maxLeafBytes))
	}
	p.Body = decoded

	if p.MediaType == "text/plain" && w.r.InlinePGP != nil && hasInlinePGP(decoded) {
		plain, st, err := w.r.InlinePGP(decoded)
		if err != nil {
			p.Body = nil
			return w.fail(p, err)
		}
		p.Body = plain
		p.Status = combine(p.Status, st)
	}
	return p
}

func hasInlinePGP(text []byte) bool {
	return bytes.Contains(text, []byte("-----BEGIN PGP MESSAGE-----")) ||
		bytes.Contains(text, []byte("-----BEGIN PGP SIGNED MESSAGE-----"))
}

func filename(h textproto.Header, params map[string]string) string {
	if _, dp, err := parseDisposition(h.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
		return dp["filename"]
	}
	return params["name"]
}

func parseDisposition(v string) (string, map[string]string, error) {
	if v == "" {
		return "", nil, errors.New("no disposition")
	}
	hdr := message.Header{}
	hdr.Set("Content-Disposition", v)
	return hdr.ContentDisposition()
}
