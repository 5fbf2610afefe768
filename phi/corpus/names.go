package corpus

// Invented given names and family names for synthetic patients and
// clinicians. They were made up for this corpus so that no generated
// message describes a real person.
var givenNames = []string{
	"Aldrena", "Bexley", "Corwinna", "Dalvan", "Elsabet", "Farrow", "Gildy",
	"Hollis", "Ivrene", "Jastin", "Kelvara", "Lunett", "Marivel", "Norrin",
	"Odessia", "Pellam", "Quinta", "Rosalind", "Sevrin", "Tamsel", "Ulvia",
	"Verrick", "Wenna", "Yarrow", "Zelphine", "Anselm", "Brisa", "Calder",
	"Delphy", "Emrys", "Fennella", "Garrick", "Hestia", "Isolde", "Jory",
}

var familyNames = []string{
	"Quillfeather", "Marrowdale", "Brackenridge", "Ostrander", "Vellacott",
	"Thistlewood", "Carrowmore", "Penhallow", "Dunmoreau", "Halvorsen",
	"Kettleby", "Ashgrove", "Winterbourne", "Lockhartt", "Fairweather",
	"Grimsditch", "Oakenshaw", "Pemberley", "Ravensworth", "Stellmacher",
	"Trevanion", "Underhay", "Wolstenholme", "Yardley", "Zabrowski",
	"O'Farrelly", "Smith-Cavanagh", "McAllister", "Delacroix", "Brightwater",
}

var streetNames = []string{
	"Oak Ridge", "Willow", "Harbor View", "Maple", "Cedar Hollow", "Juniper",
	"Lantern", "Millbrook", "Foxglove", "Granite", "Copper Creek", "Larkspur",
}

var streetTypes = []string{"Street", "St", "Avenue", "Ave", "Road", "Rd", "Lane", "Drive", "Blvd", "Court", "Way"}

var cities = []string{
	"Brookhaven", "Millbridge", "East Varden", "Calloway", "Penrith Falls",
	"Ostley", "Marrow Bay", "Tillford",
}

var states = []string{"IL", "OH", "CA", "NY", "TX", "WA", "MN", "GA", "PA", "OR", "ME", "IN"}

// domains are reserved for documentation (RFC 2606 and RFC 6761), so no
// generated address reaches a real mailbox.
var domains = []string{"example.org", "example.com", "example.net", "clinic.example", "mail.example.org"}
