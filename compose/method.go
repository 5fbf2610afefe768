package compose

import (
	"fmt"
	"strings"
)

// planMethod chooses the delivery method of rr. The order is OpenPGP
// with a usable key, then S/MIME with a usable certificate, then a
// password-protected PDF when policy allows it. Next comes unencrypted
// mail, when policy allows it and a recorded, unexpired consent covers
// the address. Otherwise the recipient gets nothing and Reason says why.
func planMethod(rr *RecipientReview, env *Env) error {
	switch {
	case rr.OpenPGP.State == KeyUsable && !env.Policy.OpenPGPDisabled:
		rr.Method = MethodOpenPGP
		rr.Reason = "trusted OpenPGP key " + rr.OpenPGP.Fingerprint
		return nil
	case rr.SMIME.State == KeyUsable && !env.Policy.SMIMEDisabled:
		rr.Method = MethodSMIME
		rr.Reason = "valid S/MIME certificate " + rr.SMIME.Fingerprint
		return nil
	case env.Policy.PasswordPDF:
		rr.Method = MethodPasswordPDF
		rr.Reason = "no usable OpenPGP key or S/MIME certificate"
		return nil
	}

	var reasons []string
	reasons = append(reasons, "there is no usable OpenPGP key or S/MIME certificate that the organisation allows",
		"the organisation does not allow password-protected copies")
	if !env.Policy.ConsentedPlain {
		reasons = append(reasons, "the organisation does not allow unencrypted mail")
		rr.Reason = strings.Join(reasons, ", ")
		return nil
	}

	c, found, err := env.Consents.Consent(rr.Address)
	if err != nil {
		return fmt.Errorf("compose: read the consent record of %s: %w", rr.Address, err)
	}
	now := env.now()
	switch {
	case !found:
		reasons = append(reasons, "no patient consent to unencrypted mail is recorded for this address")
	case !strings.EqualFold(c.Address, rr.Address):
		reasons = append(reasons, "the recorded consent is for another address")
	case !c.Expires.IsZero() && !now.Before(c.Expires):
		reasons = append(reasons, fmt.Sprintf("the patient's consent expired on %s", c.Expires.Format("2006-01-02")))
	case c.RecordedBy == "" || c.RecordedAt.IsZero():
		reasons = append(reasons, "the consent record does not say who recorded it and when")
	default:
		rr.Method = MethodPlain
		rr.Consent = &c
		rr.Reason = "recorded patient consent to unencrypted mail"
		return nil
	}
	rr.Reason = strings.Join(reasons, ", ")
	return nil
}
