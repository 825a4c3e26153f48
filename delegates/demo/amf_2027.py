"""The delegates of the upcoming forum (Bangkok): FICTIONAL people in realistic positions, with names in
every script the product supports. Over the weeks registration has been open, the national government
seats filled up (one delegate was promoted when another cancelled), the press pool is full, partners and
media waited for approval (some still wait, two were turned down), a mayor cancelled after the first
badges were printed, and the site visit has three seats left."""

from ..enums import Dietary
from .categories import categories
from .shapes import (
    Approve,
    Cancel,
    DemoCategory,
    DemoDelegate,
    DemoForumDelegates,
    DemoInvitee,
    Flight,
    PrintBadges,
    Reject,
    Travel,
)

VISIT = ("site-visit-canals-and-flood-control",)  # 40 seats
HALAL, VEGETARIAN, VEGAN, OTHER = Dietary.HALAL, Dietary.VEGETARIAN, Dietary.VEGAN, Dietary.OTHER

MAYORS = [
    DemoDelegate(
        "mayor-governor", 1.2, "H.E.", "Vibol", "Sok", "Sok Vibol", "Governor",
        "Phnom Penh Capital Administration", "Phnom Penh", "KH", "sok.vibol@phnompenh.example.org",
        native=("km", "សុខ វិបុល"), phone="+855 12 345 678", dietary=OTHER, dietary_other="No beef",
        accompanying_persons="Chan Dara, protocol officer",
        travel=Travel(
            Flight(-1, "10:40", "PG 932"), Flight(2, "18:45", "PG 935"), True, "Ratchada Garden Hotel"
        ),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 2.5, "U", "Aung Kyaw Min", "", "Aung Kyaw Min", "Mayor",
        "Yangon City Development Committee", "Yangon", "MM", "aung.kyaw.min@yangon.example.org",
        native=("my", "အောင်ကျော်မင်း"), phone="+95 9 421 234 567",
        accompanying_persons="Ko Min Thu, interpreter",
        travel=Travel(
            Flight(-1, "13:15", "8M 335"), Flight(2, "16:30", "8M 336"), True, "Ratchada Garden Hotel", True
        ),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 3.1, "Dato'", "Muhammad Faisal", "", "Muhammad Faisal bin Abdullah", "Mayor",
        "Bandar Seri Begawan Municipal Department", "Bandar Seri Begawan", "BN",
        "faisal.abdullah@bsb.example.org", native=("ms-Arab", "محمد فيصل بن عبدالله"), phone="+673 712 3456",
        dietary=HALAL, accompanying_persons="Awang Hazwan bin Ali, aide-de-camp",
        travel=Travel(Flight(-1, "15:50", "BI 517"), Flight(2, "20:10", "BI 518"), True),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 4.6, "Ms.", "Mei Ling", "Tan", "Tan Mei Ling", "Mayor, South East District",
        "South East Community Development Council", "Singapore", "SG", "tan.meiling@southeast.example.org",
        native=("zh-Hans", "陈美玲"), phone="+65 9123 4567", allergies="Peanuts",
        travel=Travel(Flight(-1, "11:05", "SQ 708"), Flight(2, "19:40", "SQ 711")),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 6.0, "Hon.", "Ma. Luisa", "Dela Cruz-Santos", "Ma. Luisa Dela Cruz-Santos",
        "City Mayor", "Quezon City Government", "Quezon City", "PH", "mayor.delacruz@quezoncity.example.org",
        phone="+63 917 123 4567",
        travel=Travel(
            Flight(-1, "12:25", "PR 732"), Flight(2, "13:30", "PR 733"), True, "Sukhumvit Riverside Inn"
        ),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 7.3, "Sr.", "Domingos", "da Costa Guterres", "Domingos da Costa Guterres",
        "President, Municipal Authority", "Municipal Authority of Dili", "Dili", "TL",
        "domingos.guterres@dili.example.org", phone="+670 7723 4567",
        travel=Travel(Flight(-2, "21:20", "TG 432"), Flight(2, "08:05", "TG 431"), True, visa_letter=True),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 9.8, "Dato' Sri Haji", "Mohamad Nor Azman", "",
        "Mohamad Nor Azman bin Haji Abdul Rahman Al-Haj", "Datuk Bandar (Mayor)", "Shah Alam City Council",
        "Shah Alam", "MY", "datukbandar@shahalam.example.org", phone="+60 12 345 6789", dietary=HALAL,
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 12.4, "H.E.", "Khamla", "Phommavong", "Khamla Phommavong", "Governor",
        "Luang Prabang Provincial Administration", "Luang Prabang", "LA",
        "khamla.phommavong@luangprabang.example.org", native=("lo", "ຄຳຫຼ້າ ພົມມະວົງ"),
        phone="+856 20 5512 3456",
        travel=Travel(
            Flight(-1, "09:55", "QV 633"), Flight(2, "17:20", "QV 634"), True, "Ratchada Garden Hotel"
        ),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 15.7, "Hon.", "Ramon", "Villanueva", "Ramon Villanueva", "City Mayor",
        "Iloilo City Government", "Iloilo City", "PH", "mayor.villanueva@iloilo.example.org",
        phone="+63 918 550 2301", signups=VISIT,
        then=(Cancel(26.2, "The city council moved its budget session to the forum dates; the mayor sends "
                           "his apologies."),),
    ),
    DemoDelegate(
        "mayor-governor", 21.3, "Mr.", "Van Minh", "Tran", "Tran Van Minh", "Chairman, People's Committee",
        "Hue City People's Committee", "Hue", "VN", "tran.vanminh@hue.example.org",
        native=("vi", "Trần Văn Minh"), phone="+84 90 312 4567",
        travel=Travel(Flight(-1, "16:10", "VN 611"), Flight(2, "12:40", "VN 612")),
    ),
    DemoDelegate(
        "mayor-governor", 23.0, "Mr.", "Wichai", "Srisuk", "Wichai Srisuk", "Mayor",
        "Chiang Mai City Municipality", "Chiang Mai", "TH", "wichai.srisuk@chiangmai.example.org",
        native=("th", "วิชัย ศรีสุข"), phone="+66 89 456 1203", signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 25.1, "Bapak", "Hendra", "Gunawan", "Hendra Gunawan", "Mayor",
        "Semarang City Government", "Semarang", "ID", "hendra.gunawan@semarang.example.org",
        phone="+62 812 3456 7890", dietary=HALAL,
        travel=Travel(
            Flight(-1, "14:00", "GA 866"), Flight(2, "15:25", "GA 867"), True, "Sukhumvit Riverside Inn"
        ),
    ),
]  # fmt: skip

# Eight seats: the ninth and tenth delegates wait; the ninth is promoted when the fourth cancels.
NATIONAL_GOVERNMENT = [
    DemoDelegate(
        "national-government", 2.0, "H.E.", "Thi Thu Ha", "Phan", "Phan Thi Thu Ha", "Vice Minister",
        "Ministry of Construction", "Hanoi", "VN", "phan.thuha@moc.example.org",
        native=("vi", "Phan Thị Thu Hà"), phone="+84 91 234 8810",
        travel=Travel(
            Flight(-1, "10:15", "VN 615"), Flight(1, "21:30", "VN 618"), True, "Ratchada Garden Hotel"
        ),
    ),
    DemoDelegate(
        "national-government", 3.6, "H.E.", "Sophal", "Chea", "Chea Sophal", "Secretary of State",
        "Ministry of Interior", "Phnom Penh", "KH", "chea.sophal@interior.example.org",
        native=("km", "ជា សុផល"), phone="+855 17 882 410", signups=VISIT,
    ),
    DemoDelegate(
        "national-government", 5.2, "Mr.", "Thanakorn", "Boonmee", "Thanakorn Boonmee",
        "Deputy Director-General, Department of Local Administration", "Ministry of Interior", "Bangkok",
        "TH", "thanakorn.b@dla.example.org", native=("th", "ธนากร บุญมี"), phone="+66 81 234 5678",
        signups=VISIT,
    ),
    DemoDelegate(
        "national-government", 6.9, "Dr.", "Rina", "Kusumawati", "Rina Kusumawati",
        "Director of Urban Affairs", "Ministry of Home Affairs", "Jakarta", "ID",
        "rina.kusumawati@kemendagri.example.org", phone="+62 813 2210 5566", dietary=HALAL, signups=VISIT,
        then=(Cancel(18.0, "Ministerial duties in Jakarta on the forum dates."),),
    ),
    DemoDelegate(
        "national-government", 8.1, "Dr.", "Siti Aishah", "", "Siti Aishah binti Omar",
        "Deputy Secretary-General (Local Government)", "Ministry of Housing and Local Government",
        "Putrajaya", "MY", "siti.aishah@kpkt.example.org", native=("ms-Arab", "سيتي عائشة بنت عمر"),
        phone="+60 19 220 4417", dietary=HALAL, signups=VISIT,
    ),
    DemoDelegate(
        "national-government", 9.4, "U", "Zaw Win", "", "Zaw Win",
        "Director General, Department of Urban and Housing Development", "Ministry of Construction",
        "Naypyitaw", "MM", "zaw.win@construction.example.org", native=("my", "ဇော်ဝင်း"),
        phone="+95 9 250 118 734", travel=Travel(visa_letter=True), signups=VISIT,
    ),
    DemoDelegate(
        "national-government", 11.0, "Mr.", "Phonsavanh", "Inthavong", "Phonsavanh Inthavong",
        "Deputy Director General, Department of Housing and Urban Planning",
        "Ministry of Public Works and Transport", "Vientiane", "LA", "phonsavanh.i@mpwt.example.org",
        native=("lo", "ພອນສະຫວັນ ອິນທະວົງ"),
        accessibility_needs="Wheelchair user: step-free access, please, and a place on the boat that takes a "
        "wheelchair.",
        travel=Travel(
            Flight(-1, "09:55", "QV 633"), Flight(2, "17:20", "QV 634"), True, "Ratchada Garden Hotel"
        ),
        signups=VISIT,
    ),
    DemoDelegate(
        "national-government", 12.7, "Ms.", "Siew Ling", "Lim", "Lim Siew Ling",
        "Director, Municipal Services Office", "Ministry of National Development", "Singapore", "SG",
        "lim.siewling@mnd.example.org", native=("zh-Hans", "林秀玲"), phone="+65 8234 7710",
    ),
    DemoDelegate(
        "national-government", 14.2, "Mr.", "Joaquim", "Pereira", "Joaquim Pereira",
        "Director-General for Local Government", "Ministry of State Administration", "Dili", "TL",
        "joaquim.pereira@estatal.example.org", travel=Travel(visa_letter=True), signups=VISIT,
    ),
    DemoDelegate(
        "national-government", 16.5, "Atty.", "Carmela", "Reyes", "Carmela Reyes", "Assistant Secretary",
        "Department of the Interior and Local Government", "Quezon City", "PH",
        "carmela.reyes@dilg.example.org", signups=VISIT,
    ),
]  # fmt: skip

VICE_MAYORS = [
    DemoDelegate(
        "vice-mayor", 1.8, "Mr.", "Somphone", "Keomany", "Somphone Keomany", "Vice Mayor",
        "Vientiane Capital Administration", "Vientiane", "LA", "somphone.k@vientiane.example.org",
        native=("lo", "ສົມພອນ ແກ້ວມະນີ"), signups=VISIT,
    ),
    DemoDelegate(
        "vice-mayor", 2.9, "Mr.", "Somchai", "Jaidee", "Somchai Jaidee", "Deputy Governor",
        "Bangkok Metropolitan Administration", "Bangkok", "TH", "somchai.jaidee@bma.example.org",
        native=("th", "สมชาย ใจดี"), phone="+66 81 770 3412", signups=VISIT,
    ),
    DemoDelegate(
        "vice-mayor", 4.4, "Ms.", "Thi Hong Nhung", "Nguyen", "Nguyen Thi Hong Nhung",
        "Vice Chairwoman, People's Committee", "Da Nang People's Committee", "Da Nang", "VN",
        "hongnhung@danang.example.org", native=("vi", "Nguyễn Thị Hồng Nhung"),
        travel=Travel(Flight(-1, "11:50", "VN 631"), Flight(2, "14:15", "VN 632"), True),
        signups=VISIT,
    ),
    DemoDelegate(
        "vice-mayor", 8.8, "Ms.", "Sophea", "Heng", "Heng Sophea", "Deputy Governor",
        "Siem Reap Provincial Administration", "Siem Reap", "KH", "heng.sophea@siemreap.example.org",
        native=("km", "ហេង សុភា"), signups=VISIT,
    ),
    DemoDelegate(
        "vice-mayor", 13.3, "Hon.", "Jose Antonio", "Mercado", "Jose Antonio Mercado", "Vice Mayor",
        "Cebu City Government", "Cebu City", "PH", "vm.mercado@cebucity.example.org", signups=VISIT,
    ),
    DemoDelegate(
        "vice-mayor", 17.6, "Daw", "Khin Mar Hlaing", "", "Khin Mar Hlaing", "Deputy Mayor",
        "Mandalay City Development Committee", "Mandalay", "MM", "khin.mar.hlaing@mandalay.example.org",
        native=("my", "ခင်မာလှိုင်"), travel=Travel(visa_letter=True), signups=VISIT,
    ),
]  # fmt: skip

CITY_OFFICIALS = [
    DemoDelegate(
        "city-official", 2.2, "Dr.", "Murugan", "Subramaniam", "Murugan Subramaniam", "City Councillor",
        "Kuala Lumpur City Hall", "Kuala Lumpur", "MY", "murugan.s@dbkl.example.org",
        native=("ta", "முருகன் சுப்பிரமணியம்"), dietary=VEGETARIAN, signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 4.0, "Ms.", "Kavitha", "Ramasamy", "Kavitha Ramasamy",
        "Head, Urban Planning Department", "Penang Island City Council", "George Town", "MY",
        "kavitha.r@mbpp.example.org", native=("ta", "கவிதா ராமசாமி"), dietary=VEGETARIAN,
        travel=Travel(Flight(-1, "12:55", "MH 784"), Flight(2, "10:35", "MH 785")), signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 5.7, "Mr.", "Wei Ming", "Chong", "Chong Wei Ming", "Director of Engineering",
        "Kuching South City Council", "Kuching", "MY", "chong.weiming@mbks.example.org",
        native=("zh-Hant", "張偉明"), signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 7.0, "Ms.", "Napha", "Wongthai", "Napha Wongthai",
        "Director, Climate Change Office", "Bangkok Metropolitan Administration", "Bangkok", "TH",
        "napha.w@bma.example.org", native=("th", "นภา วงศ์ไทย"), signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 10.5, "Mr.", "Dara", "Kim", "Kim Dara", "Director, Department of Public Works",
        "Battambang Municipal Administration", "Battambang", "KH", "kim.dara@battambang.example.org",
        native=("km", "គឹម ដារ៉ា"), dietary=OTHER, dietary_other="No beef", signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 11.9, "Ms.", "Thi Mai Anh", "Le", "Le Thi Mai Anh",
        "Deputy Director, Department of Natural Resources and Environment", "Can Tho City People's Committee",
        "Can Tho", "VN", "maianh.le@cantho.example.org", native=("vi", "Lê Thị Mai Anh"), signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 14.8, "Mr.", "Rizal", "Pratama", "Rizal Pratama", "Head of the Smart City Unit",
        "Bandung City Government", "Bandung", "ID", "rizal.pratama@bandung.example.org", dietary=HALAL,
        signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 18.4, "Ms.", "Thida Aung", "", "Thida Aung", "City Engineer",
        "Yangon City Development Committee", "Yangon", "MM", "thida.aung@yangon.example.org",
        native=("my", "သီတာအောင်"), signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 22.6, "Awang", "Abdul Rahman", "", "Abdul Rahman bin Yusof",
        "Secretary, Municipal Board", "Kuala Belait Municipal Department", "Kuala Belait", "BN",
        "abdulrahman.yusof@kb.example.org", native=("ms-Arab", "عبدالرحمن بن يوسف"), dietary=HALAL,
        signups=VISIT,
    ),
]  # fmt: skip

PARTNERS = [
    DemoDelegate(
        "partner", 3.3, "Dr.", "Omar", "Haddad", "Omar Haddad", "Urban Programme Officer",
        "Mediterranean–Asia Cities Network", "Amman", "JO", "omar.haddad@medasia-cities.example.org",
        native=("ar", "عمر حداد"), phone="+962 79 123 4567", dietary=HALAL, signups=VISIT,
        then=(Approve(5.0),),
    ),
    DemoDelegate(
        "partner", 6.2, "Ms.", "Yuki", "Sato", "Yuki Sato", "Senior Programme Officer",
        "Kyushu Urban Cooperation Institute", "Fukuoka", "JP", "sato.yuki@kyushu-urban.example.org",
        native=("ja", "佐藤由紀"), phone="+81 90 1234 5678", signups=VISIT, then=(Approve(8.1),),
    ),
    DemoDelegate(
        "partner", 9.1, "Mr.", "Ji-hoon", "Park", "Park Ji-hoon", "Project Manager, Smart Cities",
        "Korea Urban Cooperation Institute", "Busan", "KR", "jihoon.park@kuci.example.org",
        native=("ko", "박지훈"), phone="+82 10 1234 5678", allergies="Shellfish", signups=VISIT,
        then=(Approve(11.2),),
    ),
    DemoDelegate(
        "partner", 10.2, "Ms.", "Anna", "Lindqvist", "Anna Lindqvist", "Programme Specialist",
        "Nordic Cities Climate Alliance", "Stockholm", "SE", "anna.lindqvist@nordic-cities.example.org",
        phone="+46 70 123 45 67", dietary=VEGAN, then=(Approve(11.4),),
    ),
    DemoDelegate(
        "partner", 12.1, "Mr.", "Kevin", "Tan", "Kevin Tan", "Sales Director", "CityGrid Solutions Pte Ltd",
        "Singapore", "SG", "kevin.tan@citygrid.example.org", signups=VISIT,
        then=(Reject(14.0, "Partner registration is for the forum's partners and sponsors; exhibitors "
                           "register through the exhibition office. Please write to the secretariat."),),
    ),
    DemoDelegate(
        "partner", 15.0, "Mr.", "Wei", "Zhang", "Zhang Wei", "Researcher",
        "Pearl River Urban Research Centre", "Guangzhou", "CN", "zhang.wei@prurc.example.org",
        native=("zh-Hans", "张伟"),
        phone="+86 138 0013 8000", travel=Travel(Flight(-1, "19:30", "CZ 361"), Flight(2, "11:50", "CZ 362")),
        signups=VISIT, then=(Approve(17.3),),
    ),
    DemoDelegate(
        "partner", 25.4, "Ms.", "Priya", "Nair", "Priya Nair", "Consultant, Sustainable Transport",
        "Green Transit Partners", "Singapore", "SG", "priya.nair@greentransit.example.org",
        native=("ta", "பிரியா நாயர்"), dietary=VEGETARIAN, signups=VISIT,
    ),
    DemoDelegate(
        "partner", 28.0, "Mr.", "Lukas", "Becker", "Lukas Becker", "Adviser, Municipal Finance",
        "Municipal Finance Facility", "Bonn", "DE", "lukas.becker@mff.example.org", phone="+49 151 23456789",
        dietary=OTHER, dietary_other="Pescatarian", signups=VISIT,
    ),
]  # fmt: skip

# A press pool of four: the fifth journalist approved waits for a place.
MEDIA = [
    DemoDelegate(
        "media", 5.5, "Ms.", "Pimchanok", "Suwan", "Pimchanok Suwan", "Reporter", "Bangkok City Radio",
        "Bangkok", "TH", "pimchanok@bkkcityradio.example.org", native=("th", "พิมพ์ชนก สุวรรณ"),
        signups=VISIT, then=(Approve(7.5),),
    ),
    DemoDelegate(
        "media", 6.6, "Mr.", "Anh Tuan", "Hoang", "Hoang Anh Tuan", "Correspondent", "Mekong Morning Post",
        "Ho Chi Minh City", "VN", "anhtuan@mekongpost.example.org", native=("vi", "Hoàng Anh Tuấn"),
        then=(Approve(7.6),),
    ),
    DemoDelegate(
        "media", 8.3, "Ms.", "Nur Aisyah", "", "Nur Aisyah binti Kamal", "Journalist", "Utusan Kota",
        "Kuala Lumpur", "MY", "nur.aisyah@utusankota.example.org", native=("ms-Arab", "نور عائشة بنت كمال"),
        dietary=HALAL, signups=VISIT, then=(Approve(10.0),),
    ),
    DemoDelegate(
        "media", 10.8, "Mr.", "Tom", "Fairweather", "Tom Fairweather", "Travel blogger", "Wanderlust Cities",
        "Sydney", "AU", "tom@wanderlustcities.example.org", phone="+61 412 345 678",
        then=(Reject(12.0, "Press accreditation is for working journalists on assignment; please send the "
                           "secretariat a letter from your editor."),),
    ),
    DemoDelegate(
        "media", 11.5, "Mr.", "Piseth", "Chan", "Chan Piseth", "Photographer", "Phnom Penh Daily Lens",
        "Phnom Penh", "KH", "piseth@pplens.example.org", native=("km", "ចាន់ ពិសិដ្ឋ"), signups=VISIT,
        then=(Approve(13.1),),
    ),
    DemoDelegate(
        "media", 19.2, "Ms.", "Maya", "Santoso", "Maya Santoso", "Video Journalist", "Nusantara Urban TV",
        "Jakarta", "ID", "maya.santoso@nusantaratv.example.org", signups=VISIT, then=(Approve(24.0),),
    ),
    DemoDelegate(
        "media", 27.3, "Daw", "Myint Myint Swe", "", "Myint Myint Swe", "Editor", "Yangon Urban Times",
        "Yangon", "MM", "myint.swe@yangonurban.example.org", native=("my", "မြင့်မြင့်ဆွေ"),
        media_consent=False,
    ),
]  # fmt: skip

SECRETARIAT = [
    DemoDelegate(
        "secretariat", 0.5, "Ms.", "Dewi", "Anggraini", "Dewi Anggraini", "Event Coordinator", "UCLG ASPAC",
        "Jakarta", "ID", "dewi.anggraini@uclg-aspac.example.org",
        travel=Travel(
            Flight(-3, "09:20", "GA 864"), Flight(2, "20:45", "GA 869"), hotel="Ratchada Garden Hotel"
        ),
    ),
    DemoDelegate(
        "secretariat", 0.6, "Mr.", "Bayu", "Prasetyo", "Bayu Prasetyo", "Protocol Officer", "UCLG ASPAC",
        "Jakarta", "ID", "bayu.prasetyo@uclg-aspac.example.org", dietary=HALAL,
    ),
    DemoDelegate(
        "secretariat", 0.7, "Ms.", "Ya-ting", "Lin", "Lin Ya-ting", "Programme Officer, City Partnerships",
        "UCLG ASPAC", "Jakarta", "ID", "lin.yating@uclg-aspac.example.org", native=("zh-Hant", "林雅婷"),
    ),
]  # fmt: skip

AMF_2027 = DemoForumDelegates(
    forum_slug="amf-2027",
    categories=[
        # By invitation only: the governors and mayors the secretariat invites personally.
        DemoCategory(
            "mayor-invited",
            "Mayor / Governor — by invitation",
            None,
            5,
            "#7c2d12",
            heads_of_local_government=True,
            by_invitation=True,
        ),
        *categories(mayors=150, national=8, vice_mayors=80, officials=120, partners=40, media=4),
    ],
    delegates=[*MAYORS, *NATIONAL_GOVERNMENT, *VICE_MAYORS, *CITY_OFFICIALS, *PARTNERS, *MEDIA, *SECRETARIAT],
    # The first badges: the mayors and governors registered by then, in protocol order.
    print_jobs=[PrintBadges(20.0, "mayor-governor")],
    invitees=[
        DemoInvitee(
            "mayor-invited", "ឈឹម សុភា", "Governor", "Battambang", "KH", "chhim.sophea@battambang.example.org"
        ),
        DemoInvitee(
            "mayor-invited",
            "ສົມພອນ ແກ້ວມະນີ",
            "Mayor",
            "Luang Prabang",
            "LA",
            "somphone.keomany@luangprabang.example.org",
        ),
        DemoInvitee(
            "mayor-invited",
            "Nguyễn Thị Hồng Nhung",
            "Chairwoman, People's Committee",
            "Hoi An",
            "VN",
            "hong.nhung@hoian.example.org",
            revoked=True,
        ),
    ],
)
