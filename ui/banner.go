package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/crypto"
)

// Level orders banner lines from reassuring to alarming.
type Level int

const (
	LevelOK Level = iota
	LevelInfo
	LevelWarning
	LevelDanger
)

// BannerLine is one statement of the security banner.
type BannerLine struct {
	Level Level
	Text  string
}

// SecurityStatus describes how a message was protected, for the banner
// above the message. The text comes from the crypto status only: header
// fields and file names chosen by the sender never appear in it except
// the signer identity that the signature itself vouches for.
func SecurityStatus(m *crypto.Message) []BannerLine {
	var lines []BannerLine
	lines = append(lines, encryptionLine(m))
	lines = append(lines, signatureLines(m)...)
	if len(m.Problems) > 0 {
		lines = append(lines, BannerLine{LevelDanger, fmt.Sprintf(
			"%d part(s) of this message could not be opened; they are not shown.", len(m.Problems))})
	}
	return lines
}

func encryptionLine(m *crypto.Message) BannerLine {
	switch m.Encryption {
	case crypto.CoverageFull:
		enc := firstStatus(m.Root, func(s crypto.PartStatus) bool { return s.Encryption.Scheme != crypto.SchemeNone }).Encryption
		text := "Encrypted with " + enc.Scheme.String()
		if enc.Algorithm != "" {
			text += " (" + enc.Algorithm + ")"
		}
		if enc.Scheme == crypto.SchemeOpenPGP && !enc.IntegrityProtected {
			return BannerLine{LevelDanger, text + " without integrity protection: the content may have been altered."}
		}
		return BannerLine{LevelOK, text + "."}
	case crypto.CoveragePartial:
		return BannerLine{LevelWarning, "Partly encrypted: some parts of this message were sent unencrypted."}
	default:
		return BannerLine{LevelWarning, "Not encrypted: this message travelled readable by mail servers."}
	}
}

func signatureLines(m *crypto.Message) []BannerLine {
	signed := firstStatus(m.Root, func(s crypto.PartStatus) bool { return s.Signature.State != crypto.NotSigned })
	sig := signed.Signature
	if sig.State == crypto.NotSigned {
		return []BannerLine{{LevelInfo, "Not signed: the sender cannot be confirmed."}}
	}

	var lines []BannerLine
	who := sig.Signer
	if who == "" {
		who = "an unnamed key"
	}
	fp := formatFingerprint(sig.Fingerprint)
	switch sig.State {
	case crypto.GoodSignature:
		lines = append(lines, BannerLine{LevelOK, fmt.Sprintf("Signed by %s, verified (%s %s).", who, sig.Scheme, fp)})
	case crypto.BadSignature:
		lines = append(lines, BannerLine{LevelDanger, "The signature is invalid: the message was changed after it was signed, or forged."})
	case crypto.UnknownKey:
		// The fingerprint of a key that is not stored is often unknown:
		// the signature names only a key ID.
		key := "a key that is not in your key store"
		if fp != "" {
			key += " (" + fp + ")"
		}
		lines = append(lines, BannerLine{LevelWarning, "Signed with " + key + "; the sender is not verified."})
	default:
		lines = append(lines, BannerLine{LevelWarning, fmt.Sprintf("Signed by %s, not verified: %s.", who, sig.State)})
	}
	if sig.State == crypto.GoodSignature && !sig.MatchesFrom {
		lines = append(lines, BannerLine{LevelDanger, "The signer is not the address in From."})
	}
	if sig.KeyChanged {
		lines = append(lines, BannerLine{LevelDanger, "The sender's key changed since you last saw it. Verify the fingerprint with the sender before trusting it."})
	}
	if m.Signature == crypto.CoveragePartial {
		lines = append(lines, BannerLine{LevelWarning, "Partly signed: some parts of this message are not covered by the signature."})
	}
	return lines
}

// firstStatus returns the status of the first leaf, in display order, for
// which match holds, or the zero status.
func firstStatus(root *crypto.Part, match func(crypto.PartStatus) bool) crypto.PartStatus {
	if root == nil {
		return crypto.PartStatus{}
	}
	for _, p := range root.Leaves() {
		if !p.Hidden && match(p.Status) {
			return p.Status
		}
	}
	return crypto.PartStatus{}
}

// formatFingerprint groups a hex fingerprint in blocks of four for reading
// aloud.
func formatFingerprint(fp string) string {
	var b strings.Builder
	for i, r := range fp {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// newBanner builds the banner widget. It sits above the message area,
// outside anything the sender controls.
func newBanner(lines []BannerLine) fyne.CanvasObject {
	box := container.NewVBox()
	for _, l := range lines {
		icon := widget.NewIcon(levelIcon(l.Level))
		label := widget.NewLabel(l.Text)
		label.Wrapping = fyne.TextWrapWord
		label.Importance = levelImportance(l.Level)
		box.Add(container.NewBorder(nil, nil, icon, nil, label))
	}
	return box
}

func levelIcon(l Level) fyne.Resource {
	switch l {
	case LevelOK:
		return theme.ConfirmIcon()
	case LevelWarning:
		return theme.WarningIcon()
	case LevelDanger:
		return theme.ErrorIcon()
	default:
		return theme.InfoIcon()
	}
}

func levelImportance(l Level) widget.Importance {
	switch l {
	case LevelOK:
		return widget.SuccessImportance
	case LevelWarning:
		return widget.WarningImportance
	case LevelDanger:
		return widget.DangerImportance
	default:
		return widget.MediumImportance
	}
}
