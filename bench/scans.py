"""Synthetic scans of Swedish municipal papers, with the source text of every page.

A scan here is what an archive's scanner makes of paper: the text (written for Arkiv,
fictional) is typeset on an A4 page in a serif, sans or typewriter face, rasterised at
200–300 dpi, turned a little (paper never lies straight on the glass), blurred (focus,
toner spread) and speckled (dust, paper grain), then saved the way archives keep scans:
bilevel TIFF (CCITT Group 4, several pages to a file), greyscale PNG, JPEG, and
image-only PDFs of one or more pages. Tests and ``bench.ocr`` measure OCR word recall
against the source; the same seed always gives the same pixels.

    python -m bench.scans bench/out/scans      # every document in every format
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: A4 in inches.
PAGE_INCHES = (8.27, 11.69)
MARGIN_INCHES = 0.95
_SYSTEM_FONTS = Path("/usr/share/fonts")
_VERA = Path(reportlab.__file__).resolve().parent / "fonts"
#: Faces by style, best first; reportlab's bundled Vera is always there.
FACES: dict[str, tuple[Path, ...]] = {
    "serif": (_SYSTEM_FONTS / "truetype/liberation/LiberationSerif-Regular.ttf",
              _SYSTEM_FONTS / "truetype/dejavu/DejaVuSerif.ttf", _VERA / "Vera.ttf"),
    "sans": (_SYSTEM_FONTS / "truetype/liberation/LiberationSans-Regular.ttf",
             _SYSTEM_FONTS / "truetype/dejavu/DejaVuSans.ttf", _VERA / "Vera.ttf"),
    "mono": (_SYSTEM_FONTS / "truetype/liberation/LiberationMono-Regular.ttf",
             _SYSTEM_FONTS / "truetype/dejavu/DejaVuSansMono.ttf", _VERA / "VeraMono.ttf",
             _VERA / "Vera.ttf"),
}


@dataclass(frozen=True)
class ScanText:
    """A paper document: the text of each page (paragraphs split by blank lines; the
    first paragraph of page 1 is its heading) and a word no other document has."""

    name: str
    pages: tuple[str, ...]
    rare_word: str
    face: str = "serif"


DOCUMENTS: tuple[ScanText, ...] = (
    ScanText(
        name="protokollsutdrag-kommunstyrelsen-1998",
        face="mono",
        rare_word="Kvarnbäcksskolan",
        pages=("""PROTOKOLLSUTDRAG Kommunstyrelsen 1998-03-17

§ 112 Ombyggnad av Kvarnbäcksskolan, Dnr KS 1997/214

Barn- och ungdomsnämnden har begärt att kommunstyrelsen beviljar ett tilläggsanslag
om 4 200 000 kronor för ombyggnad av Kvarnbäcksskolan. Skolans gymnastiksal och matsal
är i dåligt skick och uppfyller inte längre kraven på ventilation och tillgänglighet.

Tekniska kontoret har granskat förslaget och bedömer att kostnaden är rimlig. Arbetet
kan påbörjas under sommarlovet och vara klart till höstterminens början.

Kommunstyrelsen beslutar att bevilja tilläggsanslaget och att uppdra åt tekniska
kontoret att genomföra ombyggnaden. Beslutet ska redovisas för kommunfullmäktige.

Vid protokollet Ingrid Sjöberg

Justeras Göran Lindqvist""",),
    ),
    ScanText(
        name="beslut-bygglov-tallbackavagen-1996",
        face="serif",
        rare_word="Tallbackavägen",
        pages=("""Beslut om bygglov för garage och förråd

Byggnadsnämnden beviljar bygglov för uppförande av ett garage med förråd på
fastigheten Sörby 3:14 vid Tallbackavägen 7. Byggnaden får en area om 42 kvadratmeter
och placeras fyra meter från tomtgränsen mot gatan.

Åtgärden stämmer överens med gällande detaljplan. Grannarna har hörts och ingen har
haft något att invända. Fasaderna ska utföras i trä och målas i samma kulör som
bostadshuset.

Avgiften för bygglovet är 3 150 kronor enligt kommunens taxa. Beslutet kan överklagas
hos länsstyrelsen inom tre veckor från den dag då klaganden fick del av beslutet.

Lars-Erik Öhman, byggnadsinspektör""",),
    ),
    ScanText(
        name="skrivelse-dagvattendamm-2001",
        face="sans",
        rare_word="dagvattendammen",
        pages=("""Skrivelse till miljö- och hälsoskyddsnämnden

Vi som bor längs Ängsvägen vill fästa nämndens uppmärksamhet på dagvattendammen vid
idrottsplatsen. Sedan i våras luktar vattnet illa och det har bildats ett tjockt lager
av alger. Flera barn leker vid stranden och vi är oroliga för deras hälsa.

Vi ber nämnden att låta undersöka vattenkvaliteten och att rensa dammen innan
sommaren. Vi undrar också om det finns planer på att sätta upp ett staket eller
skyltar som varnar för det förorenade vattnet.

Med vänlig hälsning

Birgitta Åkesson och grannar på Ängsvägen""",),
    ),
    ScanText(
        name="tjansteutlatande-snorojning-1994",
        face="serif",
        rare_word="snöröjningsentreprenaden",
        pages=("""Tjänsteutlåtande om upphandling av vinterväghållning

Gatukontoret föreslår att tekniska nämnden godkänner förfrågningsunderlaget för
snöröjningsentreprenaden i kommunens norra distrikt. Det nuvarande avtalet löper ut
den 30 april och kan inte förlängas.

Under de tre senaste vintrarna har kostnaderna för snöröjning och halkbekämpning ökat
med i genomsnitt elva procent per år. Förvaltningen bedömer att en ny upphandling med
tydligare krav på utrustning och inställelsetid ger bättre service till invånarna.

Anbud ska lämnas senast den 15 juni. Tilldelningsbeslut fattas av nämnden i augusti.
Förvaltningen återkommer med en utvärdering efter den första säsongen.""",
               """Ekonomiska konsekvenser

Kostnaden för entreprenaden beräknas till omkring 2,8 miljoner kronor per år och ryms
inom nämndens budget för gator och vägar. Saltningen ska minska till förmån för sand
och flis, vilket är bättre för träd och grundvatten.

Förslag till beslut

Tekniska nämnden godkänner förfrågningsunderlaget och uppdrar åt gatukontoret att
genomföra upphandlingen. Paragrafen förklaras omedelbart justerad.

Karin Holmström, gatuchef""",
               """Bilaga: kontaktuppgifter

Frågor om upphandlingen besvaras av upphandlingsenheten vardagar mellan klockan nio och
tolv. Anbudsgivare som besöker distriktet ska anmäla sig till driftledaren i förväg.

The municipality welcomes tenders from contractors in other member states of the
European Union. Questions may be sent in English to the procurement office.""",),
    ),
    ScanText(
        name="delegationsbeslut-fladdermus-2003",
        face="sans",
        rare_word="fladdermusinventering",
        pages=("""Delegationsbeslut om bidrag till naturvård

Miljönämndens ordförande beslutar på delegation att bevilja Föreningen Skogsglänta ett
bidrag om 18 500 kronor för en fladdermusinventering i Hällebergets naturreservat.

Inventeringen ska genomföras under juni och juli med ultraljudsdetektorer längs sex
slingor. Resultatet ska redovisas i en rapport till nämnden senast den 1 december och
användas i arbetet med reservatets nya skötselplan.

Bidraget betalas ut när rapporten har lämnats in. Beslutet anmäls till nämnden vid
nästa sammanträde.

Sven Bergström, ordförande""",),
    ),
)


#: The scanned protokoll page of the sample archive (``corpus/``), made by
#: ``python -m bench.scans --corpus corpus/lerum-kulturnamnden-protokoll-1997-05-14.pdf``.
CORPUS_PROTOKOLL = ScanText(
    name="lerum-kulturnamnden-protokoll-1997-05-14",
    face="serif",
    rare_word="bokbussen",
    pages=("""Lerums kommun Kulturnämnden SAMMANTRÄDESPROTOKOLL 1997-05-14

§ 23 Bokbussens turer under sommaren, Dnr KN 1997/41

Biblioteksenheten föreslår att bokbussen under juni till augusti kör en kortare tur med
stopp i Floda, Gråbo och Tollered varannan vecka. Bussen behöver ses över och
utlåningen sjunker under sommaren.

Kulturnämnden beslutar att godkänna biblioteksenhetens förslag till sommarturer för
bokbussen och att uppdra åt biblioteksenheten att informera låntagarna i god tid.

§ 24 Bidrag till hembygdsföreningens midsommarfirande, Dnr KN 1997/38

Lerums hembygdsförening söker bidrag om 6 000 kronor till midsommarfirandet vid
hembygdsgården. Firandet är öppet för alla och har många besökare varje år.

Kulturnämnden beslutar att bevilja föreningen 6 000 kronor ur anslaget för
föreningsbidrag.

Vid protokollet Anna Karlsson

Justeras Per-Olof Svensson""",),
)


def font_file(face: str) -> Path:
    """The first installed font of a style."""
    return next(path for path in FACES[face] if path.exists())


def render_page(text: str, *, dpi: int = 300, face: str = "serif", size_pt: float = 11.5) -> Image.Image:
    """A clean greyscale A4 page with ``text`` set on it: paragraphs wrapped to the
    margins, the first one (the heading) larger."""
    width, height = (round(inches * dpi) for inches in PAGE_INCHES)
    margin = round(MARGIN_INCHES * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    body = ImageFont.truetype(str(font_file(face)), round(size_pt * dpi / 72))
    heading = ImageFont.truetype(str(font_file(face)), round(size_pt * 1.35 * dpi / 72))
    y = margin
    for number, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
        font = heading if number == 0 else body
        line_height = round(font.size * 1.38)
        for line in _wrap(" ".join(paragraph.split()), font, width - 2 * margin):
            if y + line_height > height - margin:
                raise ValueError("the text does not fit on one page")
            draw.text((margin, y), line, font=font, fill=0)
            y += line_height
        y += line_height // 2
    return page


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def degrade(page: Image.Image, *, seed: int, skew: float = 1.2, blur: float = 0.8,
            speckle: float = 0.0004, dpi: int = 300) -> Image.Image:
    """What a scanner makes of the page: turned by ``skew`` degrees, blurred by
    ``blur`` (pixels at 300 dpi), with dark specks of dust on a share ``speckle`` of
    the page and a light grain."""
    rng = random.Random(seed)
    scale = dpi / 300
    page = page.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur * scale))
    draw = ImageDraw.Draw(page)
    width, height = page.size
    for _ in range(round(width * height * speckle / 4)):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.choice((0.5, 1, 1, 1.5, 2)) * scale
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=rng.randrange(0, 90))
    grain = Image.effect_noise(page.size, 18)
    return Image.blend(page, grain, 0.12).point(lambda v: min(255, v + 14))


def bilevel(page: Image.Image, threshold: int = 150) -> Image.Image:
    """A greyscale scan as a bilevel one (what fax-coded TIFFs and PDFs hold)."""
    return page.point(lambda v: 255 if v > threshold else 0).convert("1", dither=Image.Dither.NONE)


def scans(document: ScanText, *, dpi: int = 300, seed: int = 1) -> list[Image.Image]:
    """The pages of ``document`` as greyscale scans, each turned a little differently."""
    rng = random.Random(f"{document.name}:{seed}")
    return [
        degrade(render_page(text, dpi=dpi, face=document.face), dpi=dpi,
                seed=rng.randrange(1 << 30), skew=rng.choice((-1, 1)) * rng.uniform(0.6, 2.0))
        for text in document.pages
    ]


def save(images: Sequence[Image.Image], path: Path, *, dpi: int = 300) -> Path:
    """Write scans as the file type ``path`` names: ``.tif`` (bilevel, Group 4, all
    pages), ``.png`` / ``.jpg`` (one page), ``.pdf`` (image-only, all pages)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    first, rest = images[0], list(images[1:])
    if suffix in (".tif", ".tiff"):
        pages = [bilevel(image) for image in images]
        pages[0].save(path, compression="group4", save_all=True, append_images=pages[1:],
                      dpi=(dpi, dpi))
    elif suffix == ".pdf":
        first.save(path, "PDF", save_all=True, append_images=rest, resolution=dpi)
    elif suffix == ".png":
        first.save(path, dpi=(dpi, dpi))
    elif suffix in (".jpg", ".jpeg"):
        first.save(path, quality=70, dpi=(dpi, dpi))
    else:
        raise ValueError(f"no scan format for {suffix}")
    return path


def source_text(document: ScanText) -> str:
    """Everything the scans of ``document`` say."""
    return "\n\n".join(document.pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scans", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--corpus", action="store_true",
                        help="write only the sample archive's scanned protokoll, as FOLDER (a .pdf)")
    args = parser.parse_args(argv)
    if args.corpus:
        images = [bilevel(image) for image in scans(CORPUS_PROTOKOLL, dpi=args.dpi)]
        print(save(images, args.folder, dpi=args.dpi))
        return 0
    for document in DOCUMENTS:
        images = scans(document, dpi=args.dpi)
        for suffix in (".pdf", ".tif", ".png", ".jpg"):
            print(save(images if suffix in (".pdf", ".tif") else images[:1],
                       args.folder / f"{document.name}{suffix}", dpi=args.dpi))
    return 0


if __name__ == "__main__":
    sys.exit(main())
