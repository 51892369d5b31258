"""Document type from designations, headings, structure and style (never from the file name)."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from indexer.metadata.doctype import DOC_TYPES, classify
from indexer.metadata.registry import Registry

# (text, title or None, doc_type) — heads of real documents, and made-up heads of the
# kinds the seeds lack (motion, skrivelse, remissvar, beslut).
CASES: list[tuple[str, str | None, str]] = [
    (
        "Socialtjänstförvaltningen\n\nEUROPAFORUM\n\nHandläggare: Arion Chryssafis\n\n"
        "TJÄNSTEUTLÅTANDE\n2004-11-24\n\nSOCIALTJÄNSTNÄMNDEN\n2004-12-16\n\nBeslut\n\nNämnden godkänner",
        None, "tjänsteutlåtande",
    ),
    (
        " Sammanfattning \nSyftet med studiebesöket i Baltikum var erfarenhetsutbyte.\n Bakgrund \n"
        "En rapport lämnas i bilaga till tjänsteutlåtandet.\n\nFörvaltningens synpunkter \nDet är "
        "alltid intressant och lärorikt att se hur man gör någon annanstans.",
        None, "tjänsteutlåtande",
    ),
    (" Bakgrund  \n \nEuropaforum Stockholm ska lämna två rapporter. Detta ärende är en omarbetad version.", None, "tjänsteutlåtande"),
    ("SUNDBYBERGS STAD\nSocialnämnden\n\nSAMMANTRÄDESPROTOKOLL\n\nSammanträdesdatum: 2024-03-19", None, "protokoll"),
    ("§ 21\nVal av justerare\nBeslut\nSocialnämnden utser Per Ekström.\n\n§ 22\nBeslut", None, "protokoll"),
    ("SUNDBYBERGS STAD\nSocialnämnden\n\nKALLELSE\n\nSammanträde med socialnämnden", None, "kallelse"),
    ("Ledamöter kallas härmed till sammanträde. Ersättare för kännedom.", None, "kallelse"),
    ("FÖREDRAGNINGSLISTA\n\n1. Val av justerare", None, "kallelse"),
    ("Alliansen i Stockholms stad\n\nAlliansen i stadshuset: Satsning\n\nPressmeddelande   •   Jun 25, 2013 06:00 CEST", None, "pressmeddelande"),
    ("Pressmeddelande · 2023-11-28\n\nMalmö stad förstärker vinterhjälpen", None, "pressmeddelande"),
    (
        "Socialstyrelsen ska fortsatt främja omställningen\n\n– Omställningen omfattar hela systemet, "
        "säger sjukvårdsminister Acko Ankarberg Johansson.",
        None, "pressmeddelande",
    ),
    ("Nyheten i korthet.\n\nPresskontakt:\nAnna Andersson 08-123 45 67", None, "pressmeddelande"),
    (
        "Internationalisera mera\n\nSocialt arbete är ett globalt ämne.\n\n– Det är en enorm kraft i "
        "att träffa socialarbetare från hela världen, säger hon.",
        "Internationalisera mera", "artikel",
    ),
    (
        "Sänkt skatt för alla\n\nSveriges problem är inte enkla.\n\nDet är den nya regeringens löfte, "
        "och vi står fast vid det i hela landet under lång tid framöver.\n\n"
        "Jakob Forssmed (KD), socialminister",
        None, "artikel",
    ),
    ("**Rapport angående genomförda aktiviteter**\n\nBakgrund", "Rapport angående genomförda aktiviteter", "rapport"),
    ("Slutrapport\n\nProjektet Trygg i Skärholmen", None, "rapport"),
    ("Motion om fler cykelbanor\n\nVi föreslår att kommunfullmäktige beslutar att bygga fler cykelbanor.", None, "motion"),
    ("Skrivelse från Vänsterpartiet om hemlösheten", None, "skrivelse"),
    ("Remissvar – Ds 2016:26 Utvidgat skydd mot diskriminering", None, "remissvar"),
    ("Yttrande över remiss om ny socialtjänstlag\n\nNämnden tillstyrker förslaget.", None, "remissvar"),
    ("DELEGATIONSBESLUT\n\nBeslutsdatum 2024-02-01", None, "delegationsbeslut"),
    ("BESLUT\n2024-02-01\n\nÄrende: bostad med särskild service", None, "beslut"),
    ("Urban Agenda for the EU\nPartnership on Inclusion of Migrants and Refugees\n\nIntroduction", "Urban Agenda for the EU", "other"),
    ("# Tilläggsdirektiv till Namnlagskommittén (Ju 2009:17)\n\nRegeringen beslutade den 21 december 2009.", None, "kommittédirektiv"),
    # What arrives from the state, as the heads of regeringen.se pages and ferenda files read.
    ("Kommittédirektiv\nTilläggsdirektiv till Forskningsdatautredningen (U 2016:04)\nBeslut vid regeringssammanträde den 16 mars 2017", None, "kommittédirektiv"),
    ("Tilläggsdirektiv till utredningen om patentering (N 2004:13), Dir. 2005:96\n\nDepartement: Näringsdepartementet", None, "kommittédirektiv"),
    ("# Beräkning av skattetillägg\n\nEn särskild utredare ska se över bestämmelserna om beräkning av skattetillägg.", None, "kommittédirektiv"),
    ("Regeringens proposition 2008/09:5\nBättre genomförande av EG:s byggplatsdirektiv", None, "proposition"),
    ("Personuppgiftslag ID-nummer: prop. 1997/98:44\n\nRegeringen föreslår en ny lag.", None, "proposition"),
    ("# Avtal mellan Sverige och Danmark om beskattning\n\nI propositionen föreslås att riksdagen godkänner avtalet.", None, "proposition"),
    ("Organisering av framtidens e-förvaltning ID-nummer: SOU 2013:75\n\nBetänkande", None, "utredning"),
    ("# Beskattning av incitamentsprogram\n\nUtredningen har den 15 mars 2016 överlämnat sitt betänkande till regeringen.", None, "utredning"),
    ("# Remiss av SOU 2011:7 Transporter av frihetsberövade\n\nHär kan du ta del av de remissvar som kommit in.", None, "remiss"),
    ("Remissvar – Ds 2016:26 Utvidgat skydd mot diskriminering", None, "remissvar"),
    ("SFS-nummer · 1994:200 · Visa register\n\nMervärdesskattelag (1994:200)\n\nDepartement: Finansdepartementet", None, "lag"),
    ("Förordning (2008:344) om hälso- och sjukvård åt asylsökande\n\n1 § Denna förordning", None, "förordning"),
    ("Arbetsmiljöverkets föreskrifter om kemiska arbetsmiljörisker\nAFS 2011:19\n\nArbetsmiljöverket meddelar följande föreskrifter", None, "föreskrift"),
    ("Arbetsdomstolen\n\nAD 2013 nr 63\n\nDomsnummer:\n2013-63\nMålnummer:\nB-114-2012\nAvgörandedatum:\n2013-08-21", None, "dom"),
    ("# Anförande vid Försvarshögskolan\n\nEU-minister Jessika Roswalls anförande den 15 januari 2024.\n\nDet talade ordet gäller.", None, "tal"),
    ("# EU-deklarationen\n\nPresenterades av statsministern.\nDet talade ordet gäller.\n\nHerr talman!", None, "tal"),
    ("# Uttalande av statsminister Ulf Kristersson\n\nUttalande med anledning av vilseledande information.", None, "uttalande"),
    ("# 2019 Joint Statement by Neutral Nations Supervisory Commission Member States\n\nRepresentatives met.", None, "uttalande"),
    ("# Sänkta utsläpp med nytt superdepartement\n\nStatsminister Ulf Kristersson, debattartikel, Dagens industri, den 8 november 2022.", None, "debattartikel"),
    ("# Ny ambassadör i Finland\n\nNicola Clase tjänstgör för närvarande på Utrikesdepartementet. Hon har tidigare varit ambassadör i London.", None, "pressmeddelande"),
    ("# Johan Pehrson besöker Farsta\n\nVid intresse från media, kontakta pressekreterare Christoffer Heimbrand.", None, "pressmeddelande"),
    # What a municipality writes and receives, beyond the seeds.
    ("MEDBORGARFÖRSLAG\n\nFler parkbänkar i centrum", None, "medborgarförslag"),
    ("Interpellation till kommunstyrelsens ordförande om skolskjutsar", None, "interpellation"),
    ("Enkel fråga till socialnämndens ordförande om hemtjänsten", None, "fråga"),
    ("Yttrande\n\nSocialnämnden har inget att invända.", None, "yttrande"),
    ("Detaljplan för Floda 3:12\nPlanbeskrivning\nSamrådshandling", None, "detaljplan"),
    ("Riktlinjer för ekonomiskt bistånd\n\nAntagen av socialnämnden 2023-05-10", None, "policy"),
    ("Mål och budget 2025 med plan för 2026–2027", None, "budget"),
    ("Årsredovisning 2023\nLerums kommun", None, "årsredovisning"),
    ("Revisionsrapport\nGranskning av kommunens hemtjänst", None, "revisionsrapport"),
    ("Samarbetsavtal mellan Lerums kommun och Alingsås kommun om räddningstjänst", None, "avtal"),
    ("", None, "other"),
]  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(CORPUS)


@pytest.mark.parametrize(("text", "title", "doc_type"), CASES, ids=[c[2] for c in CASES])
def test_classify(registry: Registry, text: str, title: str | None, doc_type: str) -> None:
    assert classify(text, registry, title) == doc_type


def test_the_vocabulary_covers_municipal_and_state_types() -> None:
    assert set(DOC_TYPES) >= {
        "tjänsteutlåtande", "protokoll", "kallelse", "motion", "medborgarförslag", "interpellation",
        "fråga", "delegationsbeslut", "beslut", "yttrande", "remissvar", "skrivelse", "rapport",
        "utredning", "detaljplan", "avtal", "policy", "budget", "årsredovisning",
        "revisionsrapport", "pressmeddelande", "artikel", "proposition", "kommittédirektiv",
        "remiss", "lag", "förordning", "föreskrift", "dom", "tal", "uttalande", "debattartikel",
        "other",
    }  # fmt: skip


def test_a_decision_section_is_not_a_decision_document(registry: Registry) -> None:
    text = "Rapport om hemlöshet\n\nInledning\n\nText.\n\nBakgrund\n\nText.\n\nBeslut\n\nNämnden godkänner."
    assert classify(text, registry, "Rapport om hemlöshet") == "rapport"


# Press releases, speeches, bylines and state documents as government pages write them:
# one case per cue (made-up lines in the style of the genre), and the look-alikes the
# cue must leave alone. (text, title or None, doc_type)
GOVERNMENT_CASES: list[tuple[str, str | None, str]] = [
    # A press release's headline: the government or an official does something …
    ("# Regeringen föreslår att skatten på diesel sänks\n\nSkatten sänks med 50 öre per liter.", None, "pressmeddelande"),
    ("# Kulturministern bjuder in till samtal om bibliotekens framtid", None, "pressmeddelande"),
    ("# Infrastrukturminister Karin Berg presenterar en ny nationell plan", None, "pressmeddelande"),
    ("# Statsråden Lind och Öberg gör gemensamt studiebesök i Kiruna", None, "pressmeddelande"),
    # … an appointment or an official's engagement.
    ("# Ny generaldirektör för Lantmäteriet", None, "pressmeddelande"),
    ("# Nya ambassadörer till Sverige", None, "pressmeddelande"),
    ("# Eva Holm talar vid konferens om vattenförsörjning\n\nKonferensen samlar kommuner och regioner.", None, "pressmeddelande"),
    ("# Per Lund fortsätter som ordförande för Kammarkollegiet", None, "pressmeddelande"),
    ("# Rektorn för Lunds universitet lämnar sitt uppdrag", None, "pressmeddelande"),
    ("# Karin Ek utses till landshövding i Jämtlands län", None, "pressmeddelande"),
    # Appointment notices, envoys, agreements and rules that have come into force.
    ("# Ambassadörer från Peru och Nepal\n\nAmbassadörerna överlämnade i dag sina kreditivbrev till H.M. Konungen.", None, "pressmeddelande"),
    ("# Maria Sandberg\n\nMaria Sandberg har tjänstgjort inom utrikesförvaltningen sedan 1998.", None, "pressmeddelande"),
    ("# Ordförande för Statskontoret\n\nHon tillträdde som ordförande 2021.", None, "pressmeddelande"),
    ("# Generaldirektören för Skolverket\n\nEntledigandet sker på egen begäran.", None, "pressmeddelande"),
    ("# Tillfälligt sänkt skatt på el\n\nFörslaget bygger på en överenskommelse mellan regeringen och Centerpartiet.", None, "pressmeddelande"),
    ("# Skärpta krav på fiskefartyg\n\nFörordningsändringarna träder i kraft den 1 mars 2025.", None, "pressmeddelande"),
    # A state document's phrases on a page that quotes an official: news about it.
    (
        "# Utredning om kustbevakningens roll\n\nUtredaren ska kartlägga behoven. Uppdraget ska "
        "redovisas senast den 1 mars 2026.\n\n"
        "– Havet är vår gräns, säger försvarsminister Erik Nord.",
        None, "pressmeddelande",
    ),
    (
        "# Översyn av hemtjänsten\n\nUtredningen föreslår ett nytt bidrag.\n\n"
        "– Äldre ska kunna lita på hemtjänsten, säger Sara Dahl, äldreminister.",
        None, "pressmeddelande",
    ),
    (
        "# Ny modell för bostadsbidrag\n\nUtredningens uppdrag har varit att se över bidraget. "
        "Utredningen föreslår en enklare ansökan.\n\n"
        "– Det ska vara lätt att göra rätt, säger bostads- och socialförsäkringsminister Olle Ström.",
        None, "pressmeddelande",
    ),
    # The state's own documents, as their summaries read.
    ("# Enklare regler för bygglov\n\nEn utredare ska se över reglerna för bygglov.", None, "kommittédirektiv"),
    ("# Framtidens tullverk\n\nTullen står inför stora förändringar. Utredningen fick till uppgift att analysera tullens organisation.", None, "utredning"),
    ("# Ett hållbart fiske\n\nFisket är viktigt. Utredningen om fiskets villkor har haft i uppdrag att föreslå nya regler.", None, "utredning"),
    ("# Säkrare vägar\n\nUtredningens uppdrag har omfattat drift och underhåll av vägar.", None, "utredning"),
    # Speeches and debate bylines.
    ("# Tal av klimatministern när den nya vindkraftsparken i Markbygden invigdes\n\nKära vänner!", None, "tal"),
    ("# Opening remarks\n\nCheck against delivery.\n\nExcellencies, dear friends.", None, "tal"),
    (
        "# Vi måste bygga mer\n\nDebattartikel av bostadsminister Anna Berg. Svenska Dagbladet, den 3 mars 2024.\n\n"
        "Regeringen satsar på fler bostäder.",
        None, "debattartikel",
    ),
    # Look-alikes the cues leave alone.
    ("# Statsministerns tal vid Almedalen\n\nDet talade ordet gäller.", None, "tal"),
    ("# En utredare om tidig läsning\n\nBoken handlar om barns läsning.", None, "other"),
    (
        "# Nya gångstråk i parken\n\nParken får nya gångstråk.\n\n– Det blir fint, säger hon.",
        "Nya gångstråk i parken", "artikel",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "title", "doc_type"), GOVERNMENT_CASES, ids=[c[2] for c in GOVERNMENT_CASES]
)
def test_classify_government_pages(
    registry: Registry, text: str, title: str | None, doc_type: str
) -> None:
    assert classify(text, registry, title) == doc_type
