"""The delegates of the 2022 pre-AMF in Surabaya: FICTIONAL people in realistic positions. Registration
closed long ago; one councillor cancelled and a blogger was turned down."""

from ..enums import Dietary
from .categories import categories
from .shapes import Approve, Cancel, DemoDelegate, DemoForumDelegates, Flight, Reject, Travel

VISIT = ("site-visit-command-centre-and-green-kampung",)  # 40 seats

DELEGATES = [
    DemoDelegate(
        "secretariat", 1.0, "Ms.", "Sri", "Wahyuni", "Sri Wahyuni", "Logistics Officer", "UCLG ASPAC",
        "Jakarta", "ID", "sri.wahyuni@uclg-aspac.example.org", dietary=Dietary.HALAL,
    ),
    DemoDelegate(
        "mayor-governor", 2.0, "H.E.", "Sovann", "Mao", "Mao Sovann", "Governor",
        "Kampot Provincial Administration", "Kampot", "KH", "mao.sovann@kampot.example.org",
        native=("km", "ម៉ៅ សុវណ្ណ"), phone="+855 12 880 214",
        travel=Travel(Flight(-1, "15:35", "QZ 271"), Flight(2, "10:10", "QZ 272"), True),
        signups=VISIT,
    ),
    DemoDelegate(
        "mayor-governor", 4.5, "Mr.", "Prasert", "Thongdee", "Prasert Thongdee", "Mayor",
        "Khon Kaen City Municipality", "Khon Kaen", "TH", "prasert.t@khonkaen.example.org",
        native=("th", "ประเสริฐ ทองดี"), phone="+66 86 310 2275",
        accessibility_needs="Hearing aid: a seat near the front and the speakers' slides in advance, "
        "please.",
        signups=VISIT,
    ),
    DemoDelegate(
        "vice-mayor", 6.1, "Ms.", "Thi Thanh Thuy", "Vo", "Vo Thi Thanh Thuy",
        "Vice Chairwoman, People's Committee", "Hai Phong City People's Committee", "Hai Phong", "VN",
        "thanhthuy.vo@haiphong.example.org", native=("vi", "Võ Thị Thanh Thủy"),
    ),
    DemoDelegate(
        "city-official", 8.0, "Ibu", "Ni Made Ayu", "Sukmawati", "Ni Made Ayu Sukmawati",
        "Head of Planning Agency", "Surabaya City Government", "Surabaya", "ID",
        "ayu.sukmawati@surabaya.example.org", phone="+62 811 3307 4410", signups=VISIT,
    ),
    DemoDelegate(
        "city-official", 10.4, "Hon.", "Angelica", "Bautista", "Angelica Bautista", "City Councillor",
        "Davao City Government", "Davao City", "PH", "angelica.bautista@davao.example.org",
        then=(
            Cancel(
                27.0,
                "A typhoon is expected in Davao on the forum dates; the councillor stays for the city's "
                "response.",
            ),
        ),
    ),
    DemoDelegate(
        "partner", 12.3, "Mr.", "Selvam", "Arunasalam", "Selvam Arunasalam", "Research Fellow",
        "Urban Institute Malaysia", "Kuala Lumpur", "MY", "selvam.a@urbaninstitute.example.org",
        native=("ta", "செல்வம் அருணாசலம்"), dietary=Dietary.VEGETARIAN, signups=VISIT,
        then=(Approve(14.0),),
    ),
    DemoDelegate(
        "media", 20.2, "Mr.", "Reza", "Mahendra", "Reza Mahendra", "Blogger", "Jalan-Jalan Kota",
        "Surabaya", "ID", "reza@jalanjalankota.example.org",
        then=(
            Reject(
                21.5,
                "Press accreditation closed on 15 September; the plenaries are streamed live on the "
                "forum's page.",
            ),
        ),
    ),
]  # fmt: skip

PRE_AMF_2022 = DemoForumDelegates(
    forum_slug="pre-amf-2022",
    categories=categories(mayors=120, national=20, vice_mayors=60, officials=80, partners=30, media=15),
    delegates=DELEGATES,
)
