#!/usr/bin/env bash
# generate.sh rebuilds the demo mailbox: fresh OpenPGP keys made with gpg,
# a demo S/MIME CA and certificates made with openssl, and the seeded
# messages encrypted or signed with them. Every person, patient and
# organisation in it is invented. The outputs are committed, so this runs
# only when the demo data changes:
#
#   assets/demo/generate.sh
#
# Every private key written here is a PUBLIC DEMO KEY: it protects nothing.
set -euo pipefail

out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
export GNUPGHOME=$work/gnupg
mkdir -m 0700 "$GNUPGHOME"
cleanup() {
	gpgconf --kill gpg-agent 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

rm -rf "$out/keys" "$out/mail"
mkdir -p "$out/keys" "$out/mail"

gpg_batch() {
	gpg --batch --yes --quiet --pinentry-mode loopback --passphrase '' "$@"
}

# OpenPGP keys: the demo clinician, the laboratory and a colleague. The
# keys and signatures carry fixed times (gpg --faked-system-time) so that
# each signature time matches its message's Date header.
key_time=20260105T090000!
gpg_batch --faked-system-time "$key_time" --quick-gen-key "Maya Ortiz <maya.ortiz@clinic.example>" future-default default 10y
gpg_batch --faked-system-time "$key_time" --quick-gen-key "Northside Laboratory <results@lab.example>" future-default default 10y
gpg_batch --faked-system-time "$key_time" --quick-gen-key "Priya Raman <p.raman@clinic.example>" future-default default 10y

banner() {
	printf '# PUBLIC DEMO KEY for the SecureMail demo mailbox. It protects nothing.\n'
	printf '# Never use it for real mail.\n'
}
{
	banner
	gpg --armor --export-secret-keys maya.ortiz@clinic.example
} >"$out/keys/maya.ortiz-secret.asc"
for who in maya.ortiz@clinic.example results@lab.example p.raman@clinic.example; do
	gpg --armor --export "$who" >"$out/keys/${who}.asc"
done

# S/MIME: a demo CA and certificates for the cardiologist and the clinician.
ca_key=$work/ca-key.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$ca_key" -out "$out/keys/demo-ca.pem" -days 3650 \
	-subj "/O=SecureMail Demo/CN=SecureMail Demo Root CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue_cert() {
	local email=$1 name=$2 key=$3 cert=$4
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$key" -out "$work/req.csr" -subj "/CN=$name/emailAddress=$email" 2>/dev/null
	openssl x509 -req -in "$work/req.csr" -CA "$out/keys/demo-ca.pem" -CAkey "$ca_key" \
		-CAcreateserial -out "$cert" -days 3650 -extfile <(printf '%s\n' \
			"subjectAltName=email:$email" \
			"basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature,keyAgreement" \
			"extendedKeyUsage=emailProtection") 2>/dev/null
}
issue_cert s.okafor@cardio.example "Samuel Okafor" "$work/okafor-key.pem" "$out/keys/s.okafor@cardio.example.pem"
issue_cert maya.ortiz@clinic.example "Maya Ortiz" "$work/maya-key.pem" "$out/keys/maya.ortiz@clinic.example.pem"
{
	banner
	cat "$work/maya-key.pem"
} >"$out/keys/maya.ortiz-smime-secret.pem"

rm -f "$out/keys/demo-ca.srl"
maya='Maya Ortiz <maya.ortiz@clinic.example>'

# headers FROM SUBJECT DATE ID prints the outer header block.
headers() {
	printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n' \
		"$1" "$maya" "$2" "$3" "$4"
}

# crlf converts LF line ends to CRLF, as RFC 5322 requires.
crlf() {
	sed 's/$/\r/'
}

# pgp_mime FROM SUBJECT DATE ID SIGNER BODY writes a PGP/MIME message
# (RFC 3156) whose body is signed by SIGNER and encrypted to Maya.
pgp_mime() {
	local from=$1 subject=$2 date=$3 id=$4 signer=$5 body=$6 boundary
	boundary="pgp-$(printf '%s' "$id" | sha256sum | cut -c1-16)"
	{
		printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
		printf '%s\n' "$body" | crlf
	} >"$work/inner.eml"
	gpg_batch --faked-system-time "$(date -u -d "$date" +%Y%m%dT%H%M%S)!" --armor --local-user "$signer" --recipient maya.ortiz@clinic.example \
		--encrypt --sign --output "$work/inner.asc" "$work/inner.eml"
	{
		headers "$from" "$subject" "$date" "$id"
		printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="%s"\r\n\r\n' "$boundary"
		printf 'This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n'
		printf -- '--%s\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n' "$boundary"
		printf -- '--%s\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\nContent-Disposition: inline; filename="encrypted.asc"\r\n\r\n' "$boundary"
		crlf <"$work/inner.asc"
		printf -- '\r\n--%s--\r\n' "$boundary"
	}
}

# plain FROM SUBJECT DATE ID BODY writes an unprotected text message.
plain() {
	headers "$1" "$2" "$3" "$4"
	printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
	printf '%s\n' "$5" | crlf
}

pgp_mime 'Northside Laboratory <results@lab.example>' 'Lab results ready (order 4471-A)' \
	'Mon, 16 Nov 2026 08:12:40 +0000' 'results-4471a@lab.example' results@lab.example \
	"Dear Dr Ortiz,

Results for order 4471-A are final.

Patient: Jonah Whitfield (synthetic), DOB 1958-03-14, MRN 00482913
Collected: 2026-11-15 07:40

  HbA1c            8.4 %        (ref 4.0-5.6)   HIGH
  Fasting glucose  9.1 mmol/L   (ref 3.9-5.5)   HIGH
  Creatinine       88 umol/L    (ref 60-110)
  eGFR             78 mL/min/1.73m2

Comment: HbA1c raised since the last result (7.6 % in May).

Northside Laboratory, Clinical Chemistry
This message is encrypted because it contains patient information." >"$out/mail/01-lab-results.eml"

pgp_mime 'Northside Laboratory <results@lab.example>' 'Lab results ready (order 4502-C)' \
	'Wed, 18 Nov 2026 10:03:11 +0000' 'results-4502c@lab.example' results@lab.example \
	"Dear Dr Ortiz,

Results for order 4502-C are final.

Patient: Amelia Brandt (synthetic), DOB 1991-09-02, MRN 00517206
Collected: 2026-11-17 09:15

  Hepatitis C antibody    reactive
  HCV RNA (PCR)           pending, expected 2026-11-20

Please contact the patient to arrange follow-up.

Northside Laboratory, Serology" >"$out/mail/02-lab-results.eml"

pgp_mime 'Priya Raman <p.raman@clinic.example>' 'Handover for the weekend' \
	'Fri, 20 Nov 2026 17:45:02 +0000' 'handover-20261120@clinic.example' p.raman@clinic.example \
	"Maya,

Two patients to keep an eye on over the weekend:

- Jonah Whitfield (MRN 00482913): HbA1c up to 8.4 %. I have booked him for
  Tuesday; please check his glucose diary if he calls.
- Ruth Castellano (MRN 00390552): started sertraline 50 mg on Monday,
  review mood and sleep at the phone check on Saturday.

Thanks,
Priya" >"$out/mail/03-handover.eml"

# The referral is signed (not encrypted) with S/MIME by the cardiologist.
{
	printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
	printf '%s\n' "Dear Dr Ortiz,

Thank you for referring Mr Daniel Mbeki (synthetic, MRN 00466120). I saw
him in clinic today. The exercise test was negative for ischaemia; the
palpitations fit benign ectopic beats. No change to his medication.
I have discharged him back to your care.

Kind regards,
Dr Samuel Okafor
Cardiology, Riverside Heart Centre" | crlf
} >"$work/referral.mime"
{
	printf 'Date: %s\r\nMessage-ID: <%s>\r\n' 'Thu, 19 Nov 2026 14:20:55 +0000' 'referral-00466120@cardio.example'
	openssl cms -sign -binary -in "$work/referral.mime" \
		-signer "$out/keys/s.okafor@cardio.example.pem" -inkey "$work/okafor-key.pem" \
		-from 'Samuel Okafor <s.okafor@cardio.example>' -to "$maya" \
		-subject 'Re: Referral for cardiology review' | crlf | sed 's/\r\r$/\r/'
} >"$out/mail/04-referral-signed.eml"

plain 'Regional Health Bulletin <bulletin@healthnews.example>' 'This week: flu vaccination clinics and new guidance' \
	'Tue, 17 Nov 2026 06:00:00 +0000' 'bulletin-2026-47@healthnews.example' \
	"REGIONAL HEALTH BULLETIN, week 47

* Flu vaccination clinics run every Saturday until mid-December.
* New guidance on antibiotic prescribing for sore throat is out.
* Reminder: the winter on-call rota is now published.

You receive this bulletin because you subscribed with your work address.
To unsubscribe, reply with UNSUBSCRIBE in the subject." >"$out/mail/05-newsletter.eml"

plain 'Clinic IT Service Desk <it-support@c1inic.example>' 'Action required: confirm your mailbox password today' \
	'Sat, 21 Nov 2026 22:31:09 +0000' 'notice-88213@c1inic.example' \
	"Dear user,

Your mailbox will be closed within 24 hours because of a security update.
Reply to this message with your username and password to keep access.

Clinic IT Service Desk" >"$out/mail/06-lookalike.eml"

plain 'Priya Raman <p.raman@clinic.example>' 'Rota for next week' \
	'Sun, 22 Nov 2026 09:14:27 +0000' 'rota-w48@clinic.example' \
	"Hi Maya,

Next week's rota is on the shared drive. You are on the Tuesday late
session and the Thursday phone clinic. Let me know if you need to swap.

Priya" >"$out/mail/07-rota.eml"

echo "demo data written to $out"
