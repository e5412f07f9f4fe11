"""The synthetic expert panel: who the experts are and what happens to each invitation.

Everything is drawn from one ``random.Random(seed)``, so a seed always gives the same panel, the
same fates and the same answers. Names and organisations are invented; e-mail addresses use the
reserved example.* domains (RFC 2606), so no message can reach a real person.
"""

import random
import unicodedata
from dataclasses import dataclass, field

from ..conditions import AnswerValue
from ..models import Response, Sector
from ..selectors import Questionnaire
from .answers import plan_answers


@dataclass(frozen=True)
class Country:
    code: str
    weight: int
    names: tuple[str, str]  # English, Simplified Chinese
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]
    cities: tuple[str, ...]


# Weights give about 320 experts the spread of a real panel: many from China, the US and India,
# at least a handful from each country, every UN region and both Global North and South.
COUNTRIES = (
    Country("CN", 40, ("China", "中国"), (), (), ("Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Wuhan")),
    Country(
        "US", 30, ("the United States", "美国"),
        ("James", "Maria", "Michael", "Jennifer", "David", "Aisha", "Robert", "Emily", "Daniel", "Sarah"),
        ("Smith", "Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Walker", "Thompson", "Nguyen"),
        ("Boston", "Washington", "San Francisco", "Seattle"),
    ),
    Country(
        "GB", 18, ("the United Kingdom", "英国"),
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Sophie", "Thomas", "Priya"),
        ("Taylor", "Evans", "Hughes", "Clarke", "Wright", "Shah", "Bennett", "Robinson"),
        ("London", "Edinburgh", "Manchester"),
    ),
    Country(
        "DE", 16, ("Germany", "德国"),
        ("Lukas", "Anna", "Felix", "Lea", "Jonas", "Hannah", "Maximilian", "Katharina"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"),
        ("Berlin", "Munich", "Hamburg"),
    ),
    Country(
        "FR", 14, ("France", "法国"),
        ("Louis", "Camille", "Hugo", "Chloé", "Antoine", "Manon", "Julien", "Léa"),
        ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rousseau"),
        ("Paris", "Lyon", "Toulouse"),
    ),
    Country(
        "JP", 14, ("Japan", "日本"),
        ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Takeshi", "Yuko"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
        ("Tokyo", "Osaka", "Kyoto"),
    ),
    Country(
        "KR", 12, ("South Korea", "韩国"),
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yoon", "Su-bin", "Jae-won", "Ye-jin"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"),
        ("Seoul", "Daejeon", "Busan"),
    ),
    Country(
        "IN", 20, ("India", "印度"),
        ("Arjun", "Priya", "Rahul", "Ananya", "Vikram", "Kavya", "Sanjay", "Meera", "Rohan", "Divya"),
        ("Sharma", "Iyer", "Reddy", "Gupta", "Nair", "Menon", "Singh", "Banerjee", "Rao"),
        ("Bengaluru", "New Delhi", "Hyderabad", "Mumbai"),
    ),
    Country(
        "BR", 18, ("Brazil", "巴西"),
        ("João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Rafael", "Camila"),
        ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira"),
        ("São Paulo", "Rio de Janeiro", "Brasília"),
    ),
    Country(
        "ZA", 16, ("South Africa", "南非"),
        ("Thabo", "Naledi", "Sipho", "Lerato", "Pieter", "Ayanda", "Johan", "Zanele"),
        ("Nkosi", "Dlamini", "Mokoena", "van der Merwe", "Botha", "Naidoo", "Khumalo", "Pillay"),
        ("Johannesburg", "Cape Town", "Pretoria"),
    ),
    Country(
        "KE", 14, ("Kenya", "肯尼亚"),
        ("Brian", "Faith", "Wanjiru", "Kevin", "Achieng", "Daniel", "Mercy", "Kiprop"),
        ("Otieno", "Kamau", "Mwangi", "Odhiambo", "Mutua", "Chebet", "Njoroge", "Wafula"),
        ("Nairobi", "Mombasa", "Kisumu"),
    ),
    Country(
        "NG", 14, ("Nigeria", "尼日利亚"),
        ("Chinedu", "Ngozi", "Oluwaseun", "Aisha", "Emeka", "Funmilayo", "Ibrahim", "Adaeze"),
        ("Okafor", "Adeyemi", "Bello", "Eze", "Okonkwo", "Abubakar", "Balogun", "Nwosu"),
        ("Lagos", "Abuja", "Ibadan"),
    ),
    Country(
        "SG", 12, ("Singapore", "新加坡"),
        ("Wei Ling", "Jun Jie", "Hui Min", "Kai Xiang", "Marcus", "Rachel", "Jia Hui", "Ethan"),
        ("Tan", "Lim", "Lee", "Ng", "Goh", "Wong", "Chua", "Teo"),
        ("Singapore",),
    ),
    Country(
        "AU", 12, ("Australia", "澳大利亚"),
        ("Jack", "Charlotte", "William", "Mia", "Lachlan", "Ruby", "Hamish", "Grace"),
        ("Smith", "Jones", "Williams", "Brown", "Wilson", "Kelly", "Nguyen", "O'Brien"),
        ("Sydney", "Melbourne", "Canberra"),
    ),
    Country(
        "CA", 12, ("Canada", "加拿大"),
        ("Liam", "Chloé", "Noah", "Olivia", "Ethan", "Maya", "Lucas", "Hannah"),
        ("Tremblay", "Martin", "Roy", "MacDonald", "Campbell", "Singh", "Gagnon", "Wilson"),
        ("Toronto", "Montreal", "Ottawa"),
    ),
    Country(
        "EG", 12, ("Egypt", "埃及"),
        ("Ahmed", "Mona", "Omar", "Nour", "Mahmoud", "Yasmin", "Karim", "Salma"),
        ("Hassan", "Mostafa", "Abdelrahman", "Farouk", "El-Sayed", "Ibrahim", "Khalil", "Mansour"),
        ("Cairo", "Alexandria"),
    ),
    Country(
        "ID", 14, ("Indonesia", "印度尼西亚"),
        ("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Ayu"),
        ("Santoso", "Wijaya", "Pratama", "Lestari", "Hidayat", "Saputra", "Kusuma", "Nugroho"),
        ("Jakarta", "Bandung", "Yogyakarta"),
    ),
    Country(
        "MX", 12, ("Mexico", "墨西哥"),
        ("José", "Guadalupe", "Luis", "Fernanda", "Carlos", "Valeria", "Diego", "Ximena"),
        ("Hernández", "García", "Martínez", "López", "González", "Ramírez", "Flores", "Torres"),
        ("Mexico City", "Guadalajara", "Monterrey"),
    ),
    Country(
        "AE", 10, ("the United Arab Emirates", "阿联酋"),
        ("Mohammed", "Fatima", "Khalid", "Maryam", "Saeed", "Aisha", "Rashid", "Noura"),
        ("Al Mansoori", "Al Nuaimi", "Al Suwaidi", "Al Falasi", "Al Ketbi", "Al Hammadi", "Al Shamsi"),
        ("Abu Dhabi", "Dubai"),
    ),
)  # fmt: skip
COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}

# Chinese names are written in characters; the pinyin only builds the e-mail address.
CHINESE_FAMILY_NAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
)  # fmt: skip
CHINESE_GIVEN_NAMES = (
    ("伟", "wei"), ("芳", "fang"), ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("艳", "yan"),
    ("涛", "tao"), ("明", "ming"), ("秀英", "xiuying"), ("晓东", "xiaodong"), ("海燕", "haiyan"),
    ("志强", "zhiqiang"), ("建华", "jianhua"), ("丽娟", "lijuan"), ("子涵", "zihan"), ("思远", "siyuan"),
    ("雨桐", "yutong"), ("浩然", "haoran"), ("嘉怡", "jiayi"), ("文博", "wenbo"),
)  # fmt: skip
CHINESE_CITIES = ("北京", "上海", "深圳", "杭州", "武汉")

SECTOR_WEIGHTS = {
    Sector.ACADEMIA: 28,
    Sector.RESEARCH_INSTITUTE: 18,
    Sector.INDUSTRY: 20,
    Sector.GOVERNMENT: 14,
    Sector.INTERNATIONAL_ORGANISATION: 6,
    Sector.CIVIL_SOCIETY: 10,
    Sector.OTHER: 4,
}
# Invented organisations, per sector: (English template, Chinese template).
ORGANISATIONS = {
    Sector.ACADEMIA: (
        ("School of Public Policy, {city} University of Technology", "{city}科技大学公共政策学院"),
        ("Faculty of Law, {city} Metropolitan University", "{city}理工大学法学院"),
        ("Department of Computer Science, {city} Institute of Science", "{city}科学技术学院计算机系"),
    ),
    Sector.RESEARCH_INSTITUTE: (
        ("{city} Institute for Digital Governance", "{city}数字治理研究院"),
        ("Centre for AI and Society, {city}", "{city}人工智能与社会研究中心"),
    ),
    Sector.INDUSTRY: (
        ("Northstar AI Systems, {city}", "{city}星河智能科技有限公司"),
        ("Meridian Cloud, {city} office", "{city}云帆数据科技有限公司"),
        ("Kestrel Robotics, {city}", "{city}智算未来科技有限公司"),
    ),
    Sector.GOVERNMENT: (
        ("Ministry of Digital Economy", "{city}市经济和信息化局"),
        ("National AI Strategy Office", "{city}市科学技术局"),
        ("Ministry of Foreign Affairs, Technology Diplomacy Unit", "{city}市人民政府外事办公室"),
    ),
    Sector.INTERNATIONAL_ORGANISATION: (
        ("Regional Digital Cooperation Secretariat, {city}", "区域数字合作秘书处（{city}）"),
        ("Development Bank Digital Unit, {city} office", "多边开发银行数字部（{city}办公室）"),
    ),
    Sector.CIVIL_SOCIETY: (
        ("{city} Digital Rights Forum", "{city}数字公益联盟"),
        ("Open Knowledge Collective, {city}", "{city}开放智能社区"),
    ),
    Sector.OTHER: (
        ("Independent consultant", "独立顾问"),
        ("{city} Foundation for Science and Society", "{city}科学与社会基金会"),
    ),
}
EXPERTISE = (
    ("AI safety evaluation", "人工智能安全评测"),
    ("International law and AI", "国际法与人工智能"),
    ("Data governance", "数据治理"),
    ("Digital trade", "数字贸易"),
    ("AI ethics", "人工智能伦理"),
    ("Standards and certification", "标准与认证"),
    ("Development economics", "发展经济学"),
    ("Cybersecurity", "网络安全"),
    ("Platform regulation", "平台监管"),
    ("AI and the future of work", "人工智能与就业"),
    ("Science and technology diplomacy", "科技外交"),
    ("Open-source software", "开源软件"),
)

SUBMITTED, DRAFT, DECLINED, INVITED = "submitted", "draft", "declined", "invited"
STATUS_SHARES = {SUBMITTED: 0.65, DRAFT: 0.12, DECLINED: 0.08}  # the rest: invited, not opened yet
ATTRIBUTION_WEIGHTS = {
    Response.Attribution.NAMED: 30,
    Response.Attribution.ANONYMOUS: 50,
    Response.Attribution.NOT_FOR_QUOTATION: 20,
}
INTERVIEW_SHARE = 0.10  # of the responses, entered by staff during an interview
ASSIGNED_PENDING_INTERVIEWS = 3  # interviews assigned to the demo interviewer, not held yet
EMAIL_DOMAINS = {Sector.INDUSTRY: "example.com", Sector.GOVERNMENT: "example.net"}  # others: example.org


@dataclass(frozen=True)
class Profile:
    name: str
    email: str
    organisation: str
    country: str
    sector: str
    expertise: str
    preferred_language: str

    @property
    def country_names(self) -> tuple[str, str]:
        return COUNTRY_BY_CODE[self.country].names


@dataclass
class PanelMember:
    """One expert and the fate of their invitation. Times are hours after the survey opened."""

    profile: Profile
    status: str
    attribution: str = ""
    entered_by: str = ""  # "", "interviewer" (the assigned demo interviewer) or "fieldwork"
    assigned_interviewer: bool = False
    sections_saved: int = 0  # drafts: how many sections were saved before the expert stopped
    answers: dict[str, AnswerValue] = field(default_factory=dict)  # by question code
    sent_hour: float = 0.0
    acted_hour: float | None = None  # opened or declined
    submitted_hour: float | None = None
    reminders: int = 0


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(character for character in plain if character.isalnum())


def _profiles(count: int, rng: random.Random) -> list[Profile]:
    """``count`` experts; every country and sector appears once before weights take over."""
    codes = [country.code for country in COUNTRIES]
    countries = codes[:count] + rng.choices(
        codes, weights=[c.weight for c in COUNTRIES], k=max(0, count - len(codes))
    )
    sectors = list(SECTOR_WEIGHTS)[:count] + rng.choices(
        list(SECTOR_WEIGHTS), weights=list(SECTOR_WEIGHTS.values()), k=max(0, count - len(SECTOR_WEIGHTS))
    )
    rng.shuffle(countries)
    rng.shuffle(sectors)
    emails: set[str] = set()
    profiles = []
    for code, sector in zip(countries, sectors, strict=True):
        country = COUNTRY_BY_CODE[code]
        chinese = code == "CN" and rng.random() < 0.85
        if code == "CN":
            family, family_pinyin = rng.choice(CHINESE_FAMILY_NAMES)
            given, given_pinyin = rng.choice(CHINESE_GIVEN_NAMES)
            name, local = family + given, f"{given_pinyin}.{family_pinyin}"
        else:
            given, family = rng.choice(country.given_names), rng.choice(country.family_names)
            name, local = f"{given} {family}", f"{_ascii(given)}.{_ascii(family)}"
        email, number = f"{local}@{EMAIL_DOMAINS.get(sector, 'example.org')}", 1
        while email in emails:
            number += 1
            email = f"{local}{number}@{EMAIL_DOMAINS.get(sector, 'example.org')}"
        emails.add(email)
        english_org, chinese_org = rng.choice(ORGANISATIONS[sector])
        expertise = rng.choice(EXPERTISE)
        profiles.append(
            Profile(
                name=name,
                email=email,
                organisation=chinese_org.format(city=rng.choice(CHINESE_CITIES))
                if chinese
                else english_org.format(city=rng.choice(country.cities)),
                country=code,
                sector=sector.value,
                expertise=expertise[1] if chinese else expertise[0],
                preferred_language="zh-hans" if chinese else "en",
            )
        )
    return profiles


def _statuses(count: int, rng: random.Random) -> list[str]:
    statuses = [status for status, share in STATUS_SHARES.items() for _ in range(round(count * share))]
    statuses += [INVITED] * (count - len(statuses))
    rng.shuffle(statuses)
    return statuses


def _assign_interviews(members: list[PanelMember], rng: random.Random) -> None:
    """About a tenth of the responses are entered by staff: most by the demo interviewer, who is
    assigned to those experts (and to a few not interviewed yet), the rest by fieldwork staff."""
    responding = [member for member in members if member.status in (SUBMITTED, DRAFT)]
    interviewed = rng.sample(responding, round(len(responding) * INTERVIEW_SHARE))
    by_interviewer = round(len(interviewed) * 0.75)
    for position, member in enumerate(interviewed):
        member.entered_by = "interviewer" if position < by_interviewer else "fieldwork"
        member.assigned_interviewer = position < by_interviewer
    waiting = [member for member in members if member.status == INVITED]
    for member in rng.sample(waiting, min(ASSIGNED_PENDING_INTERVIEWS, len(waiting))):
        member.assigned_interviewer = True


def _timeline(member: PanelMember, rng: random.Random) -> None:
    """Invitations went out over the first two days; answers and refusals came in over four weeks."""
    member.sent_hour = rng.uniform(0, 48)
    if member.status == DECLINED:
        member.acted_hour = member.sent_hour + rng.uniform(12, 240)
    elif member.status in (SUBMITTED, DRAFT):
        member.acted_hour = min(member.sent_hour + rng.expovariate(1 / 120), 690.0)
    if member.status == SUBMITTED:
        member.submitted_hour = min(member.acted_hour + rng.uniform(0.3, 48), 710.0)
    if member.status in (DRAFT, INVITED) and member.entered_by == "":
        member.reminders = rng.choice((0, 1, 1, 2))


def plan_panel(*, questionnaire: Questionnaire, count: int, seed: int) -> list[PanelMember]:
    """The whole synthetic panel for ``seed``: profiles, fates, timelines and answers."""
    rng = random.Random(seed)
    profiles = _profiles(count, rng)
    members = [
        PanelMember(profile=profile, status=status)
        for profile, status in zip(profiles, _statuses(count, rng), strict=True)
    ]
    _assign_interviews(members, rng)
    attributions, weights = list(ATTRIBUTION_WEIGHTS), list(ATTRIBUTION_WEIGHTS.values())
    last_section = len(questionnaire.sections)
    for member in members:
        _timeline(member, rng)
        if member.status not in (SUBMITTED, DRAFT):
            continue
        member.attribution = rng.choices(attributions, weights=weights)[0]
        member.sections_saved = (
            last_section if member.status == SUBMITTED else rng.randint(1, last_section - 1)
        )
        member.answers = plan_answers(
            questionnaire=questionnaire,
            profile=member.profile,
            interviewed=bool(member.entered_by),
            rng=rng,
        )
    return members
