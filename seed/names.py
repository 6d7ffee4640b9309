"""Small built-in word lists for the synthetic borough: names, streets, wards, organizations.

Diverse on purpose: a UK borough's people and volunteers come from many backgrounds, and the
languages they speak (seed/borough.py) lean on the same mix. Everything here is fictional.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# language -> (female first names, male first names); "en" covers the English-only majority.
FIRST_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        _words(
            "Margaret Joan Patricia Barbara Maureen Jean Eileen Doris Sheila Brenda Irene "
            "Pauline Susan Linda Carol Janet Ann Elizabeth Sarah Emma Claire Hannah Sophie "
            "Chloe Grace Olivia Amelia Ruby Lucy Kathleen Dorothy Hazel Valerie Beverley "
            "Marcia Winsome Precious Abena Ngozi Funmi Siobhan Bridget Megan Cerys"
        ),
        _words(
            "John David Michael Peter Robert Brian Kenneth Ronald Derek Keith Terence Colin "
            "Alan Trevor Graham Stephen Paul James Thomas George Oliver Harry Jack Daniel "
            "Samuel William Arthur Stanley Desmond Winston Delroy Clive Kwame Chidi Tunde "
            "Patrick Sean Liam Owen Rhys Callum Gareth"
        ),
    ),
    "pl": (
        _words("Agnieszka Katarzyna Malgorzata Zofia Ewa Barbara Krystyna Anna"),
        _words("Piotr Krzysztof Tomasz Andrzej Jan Stanislaw Marek Pawel"),
    ),
    "bn": (
        _words("Ayesha Rokeya Shirin Nasreen Jahanara Rahima Sufia Shamima"),
        _words("Abdul Rahman Mizanur Shahid Kamal Anwar Jamal Habib"),
    ),
    "ur": (
        _words("Fatima Zainab Bushra Nusrat Shabana Rukhsana Samina Parveen"),
        _words("Mohammed Imran Tariq Javed Asif Nadeem Khalid Zahid"),
    ),
    "so": (
        _words("Hodan Faadumo Sahra Hawa Ubah Asha Ifrah Nimco"),
        _words("Abdirahman Mohamed Hassan Yusuf Abdi Omar Ahmed Mahad"),
    ),
    "tr": (
        _words("Ayse Fatma Emine Hatice Zeynep Elif Meryem Sevgi"),
        _words("Mehmet Mustafa Ahmet Ali Huseyin Hasan Ibrahim Osman"),
    ),
    "pa": (
        _words("Gurpreet Harjit Manjit Jaswinder Kuldip Balbir Simran Amrit"),
        _words("Harjinder Gurdev Sukhdev Balwinder Jasbir Kulwant Manpreet Ranjit"),
    ),
    "gu": (
        _words("Hansa Kokila Jyoti Bhavna Pushpa Nirmala Sarla Meena"),
        _words("Ramesh Suresh Dinesh Mahesh Pravin Kishor Jayesh Hitesh"),
    ),
    "es": (
        _words("Maria Carmen Lucia Rosa Isabel Pilar Elena Ana"),
        _words("Jose Antonio Carlos Manuel Javier Luis Miguel Diego"),
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _words(
        "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
        "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel "
        "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison "
        "Morgan Allen James Scott Phillips Campbell Okafor Mensah Adeyemi Boateng Murphy "
        "O'Brien Kelly Walsh Chen Nguyen"
    ),
    "pl": _words("Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski"),
    "bn": _words("Begum Miah Uddin Ahmed Rahman Hussain Islam Khatun"),
    "ur": _words("Khan Hussain Akhtar Iqbal Malik Butt Qureshi Shah"),
    "so": _words("Ali Mohamed Hassan Farah Abdi Warsame Osman Jama"),
    "tr": _words("Yilmaz Kaya Demir Sahin Celik Yildiz Ozturk Aydin"),
    "pa": _words("Singh Kaur Sandhu Gill Dhillon Sidhu Grewal Bains"),
    "gu": _words("Patel Shah Mistry Parmar Solanki Chauhan Desai Joshi"),
    "es": _words("Garcia Martinez Lopez Sanchez Perez Gomez Fernandez Ruiz"),
}

STREET_STEMS = _words(
    "Elm Oak Ash Beech Chestnut Willow Hawthorn Rowan Holly Poplar Cedar Maple Linden Alder "
    "Hazel Larch Church Mill Station Victoria Albert Queens Kings Park Grove Spring Brook "
    "Meadow Orchard Market Chapel School Bridge Canal Wharf Garden Priory Abbey Manor Castle "
    "Windmill Foundry Tannery Ropewalk Cobden Gladstone Nightingale Seacole Pankhurst Attlee "
    "Wilberforce Darwin"
)
STREET_SUFFIXES = _words(
    "Road Street Avenue Lane Close Gardens Terrace Crescent Way Place Walk Grove Court Rise Mews"
)

# Ward names are "<stem> <suffix>": real-sounding and fictional.
WARD_STEMS = _words(
    "Ashby Brookfield Carrow Dunmere Elmstead Fairholt Greyfriars Hollins Ivybridge Kelmscott "
    "Larkhill Millbrook Northgate Oakenshaw Pennington Queensbury Ravenscroft Saltwell "
    "Thornbury Upton Wexcombe Whitmore Yardley Bramhope Coldharbour Dovecote Eastwick Fenwick"
)
WARD_SUFFIXES = _words("Park Green Vale Central North South East West Hill Common")

# Postcodes: "VB" is not a real postcode area, so no generated address points at a real home.
POSTCODE_AREA = "VB"
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters real inward codes use

COORDINATING_ORGANIZATION = "Vale Community Care Network"
SECOND_BEFRIENDING_ORGANIZATION = "Vale Good Neighbours"
LINK_WORKER_ORGANIZATION = "Vale Council Social Prescribing Team"
