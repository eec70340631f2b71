"""Word lists for the demo school's people and places.

Names are common English given names and surnames. Every town is
invented, and so is the postcode area (`ZY` is not in use), so no demo
address can be a real one. Telephone numbers come from Ofcom's ranges
reserved for drama (07700 900000 to 900999, 01632 960000 to 960999), and
every email address is at a domain reserved for documentation (RFC 2606).
"""

from __future__ import annotations

GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Jessica", "Sophie", "Grace",
    "Lily", "Ruby", "Evie", "Ella", "Chloe", "Mia", "Poppy", "Isabella",
    "Charlotte", "Daisy", "Freya", "Holly", "Megan", "Lucy", "Phoebe",
    "Millie", "Eva", "Erin", "Scarlett", "Imogen", "Matilda", "Hannah",
    "Amber", "Maisie", "Layla", "Zara", "Aisha", "Esme", "Molly", "Niamh",
    "Alice", "Ellie", "Katie", "Summer", "Libby", "Jasmine", "Maryam",
    "Hafsa", "Priya", "Zuzanna", "Tia", "Leah",
)  # fmt: skip

BOYS = (
    "Oliver", "Harry", "Jack", "Charlie", "Thomas", "Jacob", "Alfie", "Riley",
    "William", "James", "Joshua", "George", "Ethan", "Noah", "Samuel",
    "Daniel", "Oscar", "Max", "Mohammed", "Leo", "Dylan", "Archie", "Lucas",
    "Joseph", "Logan", "Isaac", "Tyler", "Benjamin", "Jake", "Harvey",
    "Lewis", "Luke", "Callum", "Ryan", "Adam", "Kai", "Reuben", "Finley",
    "Toby", "Theo", "Arjun", "Ibrahim", "Yusuf", "Kian", "Mason", "Jayden",
    "Connor", "Aaron", "Owen", "Filip",
)  # fmt: skip

WOMEN = (
    "Sarah", "Emma", "Claire", "Laura", "Rachel", "Nicola", "Lisa", "Kelly",
    "Helen", "Joanne", "Gemma", "Katie", "Amy", "Rebecca", "Hannah",
    "Jennifer", "Victoria", "Michelle", "Donna", "Stacey", "Louise",
    "Natalie", "Samantha", "Leanne", "Kerry", "Zoe", "Charlotte", "Jade",
    "Amanda", "Karen", "Nadia", "Fatima", "Shabana", "Anita", "Agnieszka",
)  # fmt: skip

MEN = (
    "David", "Paul", "Mark", "Andrew", "James", "Richard", "Daniel",
    "Christopher", "Michael", "Matthew", "Stephen", "Lee", "Craig", "Darren",
    "Gareth", "Neil", "Jason", "Carl", "Simon", "Adam", "Ian", "Martin",
    "Wayne", "Stuart", "Kevin", "Anthony", "Ross", "Scott", "Imran", "Asif",
    "Tariq", "Rajesh", "Tomasz", "Dean", "Shaun",
)  # fmt: skip

GRANDMOTHERS = (
    "Margaret", "Susan", "Linda", "Patricia", "Christine", "Janet", "Carol",
    "Brenda", "Pauline", "Elaine",
)  # fmt: skip

GRANDFATHERS = (
    "John", "Peter", "Robert", "Alan", "Keith", "Brian", "Graham", "Terry",
    "Barry", "Malcolm",
)  # fmt: skip

SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
    "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White",
    "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan",
    "Lewis", "James", "Phillips", "Mason", "Mitchell", "Rose", "Cooper",
    "Ward", "Turner", "Hill", "Harris", "Moore", "Hughes", "Edwards", "Baker",
    "Lee", "Scott", "Young", "King", "Allen", "Carter", "Bennett", "Shaw",
    "Marshall", "Parker", "Price", "Bailey", "Cook", "Bell", "Murphy",
    "Kelly", "Holmes", "Hussain", "Begum", "Ali", "Ahmed", "Singh", "Kaur",
    "Chapman", "Fletcher", "Barker", "Lloyd", "Ellis", "Hunt", "Webb",
    "Foster", "Dixon", "Harrison", "Morris", "Simpson", "Atkinson",
    "Richardson", "Armstrong", "Watson", "Chambers", "Brooks", "Sutton",
    "Pearson", "Fisher", "Knowles", "Hartley", "Booth", "Barlow", "Lord",
    "Ashworth", "Haworth", "Crossley", "Horrocks", "O'Brien", "Nowak",
    "Kowalski", "Gallagher", "Doyle", "Byrne", "Quinn", "Walsh", "Mahmood",
    "Riley",
)  # fmt: skip

STREET_STEMS = (
    "Larkspur", "Elmfield", "Hawthorn", "Sallow", "Kelder", "Marrow",
    "Thistle", "Copper", "Wendle", "Amble", "Foxglove", "Heron", "Linnet",
    "Bramble", "Willowmere", "Rookery", "Tanner", "Weaver", "Cobble",
    "Millrace", "Ferncliffe", "Skylark", "Quarry", "Orchard", "Chapel",
    "Beacon", "Sorrel", "Juniper", "Coldwell", "Pennine",
)  # fmt: skip

STREET_KINDS = (
    "Road", "Street", "Close", "Avenue", "Grove", "Lane", "Drive", "Way",
    "Crescent", "Terrace", "Gardens", "Mews", "Rise", "Court", "View",
)  # fmt: skip

#: Invented towns, each with the district number of the invented ZY area.
TOWNS = (
    ("Hollinsford", 1),
    ("Kelderbridge", 2),
    ("Sallowby", 3),
    ("Wendlecote", 4),
    ("Marrowfield", 5),
    ("Thistlecombe", 6),
    ("Ambleworth", 7),
    ("Copperdale", 8),
)

POSTCODE_AREA = "ZY"

#: The letters Royal Mail uses at the end of a postcode (no C I K M O V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

#: Documentation-only domains (RFC 2606).
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")

#: Ofcom drama numbers: a mobile block and the block in the 01632 area,
#: which no real place uses; each block holds 1000 numbers.
MOBILE_BLOCK = ("07700 900", 1000)
LANDLINE_BLOCK = ("01632 960", 1000)
