package phi

// mbi reports a Medicare Beneficiary Identifier written whole or as
// 4-3-4 with dashes.
func (t *textScan) mbi(r *runs) bool {
	s := t.text
	var id string
	switch {
	case r.n == 1:
		id = r.text(s, 0)
	case r.n == 3 && r.sep[0] == '-' && r.sep[1] == '-' &&
		r.end[0]-r.start[0] == 4 && r.end[1]-r.start[1] == 3 && r.end[2]-r.start[2] == 4:
		id = r.text(s, 0) + r.text(s, 1) + r.text(s, 2)
	default:
		return false
	}
	if !validMBI(id) {
		return false
	}
	t.add(KindMBI, CategoryIdentifier, r.start[0], r.last(), prioStructured, "")
	return true
}

func (t *textScan) dea(r *runs) bool {
	if r.n != 1 || !validDEA(r.text(t.text, 0)) {
		return false
	}
	t.add(KindDEA, CategoryIdentifier, r.start[0], r.end[0], prioStructured, "")
	return true
}

// icd10 reports an ICD-10-CM code. A code with a dot ("E11.65") counts on
// its own; a bare category ("E11") only after a cue such as "dx" or "ICD".
func (t *textScan) icd10(r *runs) bool {
	s := t.text
	if !validICD10Category(r.text(s, 0)) {
		return false
	}
	end := r.end[0]
	switch {
	case r.n == 2 && r.sep[0] == '.' && validICD10Subcode(r.text(s, 1)):
		end = r.end[1]
	case r.n == 1 && t.near(cueICD, r.start[0], cueWindow):
	default:
		return false
	}
	t.add(KindICD10, CategoryClinical, r.start[0], end, prioStructured, "")
	return true
}
