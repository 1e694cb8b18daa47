"""Builds the coach's labelled set (en.jsonl, sk.jsonl, el.jsonl, th.jsonl) from sentences
written by hand for each language. Each message is assembled from a greeting, the parts
that carry (or lack) ownership, remedy and prevention, and at most one or two problem
sentences; its labels follow from the parts chosen, so every code is covered many times
with different wording. Run: python tests/data/coach/make_set.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent

PARTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "greet": ["Dear Maria,", "Hello Tom,", "Hi Priya,", "Dear Dr Shaw,"],
        "own": [
            "We got your order wrong and that is entirely our fault.",
            "I am sorry: we made a mistake with your invoice.",
            "We dropped the ball on your monthly reports.",
            "That's on us, and I take full responsibility for it.",
            "We let you down last week, with no excuses.",
            "The error was ours, not yours.",
        ],
        "passive": [
            "We apologise for the delay with your order.",
            "Mistakes were made in processing your request.",
            "Unfortunately the parcel did not arrive on time.",
            "Please accept our apologies for the situation.",
        ],
        "remedy": [
            "A replacement is on its way today by express.",
            "We have refunded the full amount to your card.",
            "I will call you tomorrow morning to reschedule the visit.",
            "We are sending the three missing reports this afternoon.",
            "Your account has been credited with one free month.",
        ],
        "prevent": [
            "From now on every order is checked by a second person before it leaves.",
            "We have added a reminder so that this cannot happen again.",
            "Going forward you will have one named contact for your account.",
            "We changed our billing run so it won't happen again.",
            "In future we will tell you about any delay before you have to ask.",
        ],
        "close": ["Kind regards, Sam", "Best wishes, Olivia", "Thank you, Hannah"],
        "blame-customer": [
            "We were still waiting for your content, so the launch slipped.",
            "The delay happened because your payment was late.",
            "You didn't send the signed form until Friday.",
            "If you had told us about the access code, the fitter could have started.",
        ],
        "blame-staff": [
            "Our new warehouse guy mixed up the labels.",
            "One of our technicians forgot to bring the part.",
            "The driver misread the address, he was new.",
        ],
        "blame-third-party": [
            "The courier lost the parcel on the way to you.",
            "Our supplier delayed the shipment by a week.",
            "This was caused by the payment provider, not by us.",
            "The bank's error meant the refund bounced.",
        ],
        "excuse": [
            "Due to high volumes this month, replies are slower.",
            "The outage was beyond our control.",
            "These things happen in the busy season.",
            "Unforeseen circumstances delayed the team.",
        ],
        "conditional-apology": [
            "We are sorry if you felt let down.",
            "Apologies for any inconvenience this may have caused.",
            "I'm sorry you feel the service was poor.",
            "Sorry if this caused you any trouble.",
        ],
        "minimizing": [
            "It was only a small delay of two days.",
            "This was just a minor mix-up with the labels.",
            "It is not a big deal and easily fixed.",
            "There was a slight delay, nothing serious.",
        ],
    },
    "sk": {
        "greet": [
            "Dobrý deň, pán Novák,",
            "Dobrý deň, pani Horváthová,",
            "Ahoj Peter,",
            "Vážená pani doktorka,",
        ],
        "own": [
            "Je to naša chyba a ospravedlňujem sa.",
            "Pomýlili sme sa pri Vašej objednávke.",
            "Nedodržali sme, čo sme sľúbili, bez výhovoriek.",
            "Zodpovedáme za to my a beriem na seba plnú zodpovednosť.",
            "Urobili sme chybu vo faktúre.",
            "Sklamali sme Vás a mrzí ma to.",
        ],
        "passive": [
            "Ospravedlňujeme sa za oneskorenie.",
            "Pri spracovaní objednávky došlo k chybe.",
            "Žiaľ, zásielka neprišla včas.",
            "Prijmite naše ospravedlnenie za vzniknutú situáciu.",
        ],
        "remedy": [
            "Ešte dnes Vám pošleme nový kus expresne.",
            "Celú sumu Vám vrátime na účet do piatku.",
            "Zajtra ráno Vám zavolám a dohodneme nový termín.",
            "Chýbajúce reporty Vám posielame ešte dnes popoludní.",
            "Za tento mesiac Vám poplatok odpúšťame.",
        ],
        "prevent": [
            "Odteraz každú objednávku pred odoslaním skontroluje druhý kolega.",
            "Zaviedli sme pripomienku, aby sa to už neopakovalo.",
            "Do budúcna budete mať jednu stálu kontaktnú osobu.",
            "Zmenili sme postup fakturácie, aby sa to nestalo znova.",
            "V budúcnosti Vás o každom meškaní informujeme vopred sami.",
        ],
        "close": ["S pozdravom, Zuzana", "Ďakujem, Marek", "Pekný deň, Lucia"],
        "blame-customer": [
            "Čakali sme ešte na Vaše podklady, preto sa spustenie posunulo.",
            "Keďže ste nám nezaplatili zálohu včas, výroba sa oneskorila.",
            "Podpísanú zmluvu ste poslali až v piatok.",
            "Keby ste nám dali vedieť skôr, technik by prišiel.",
        ],
        "blame-staff": [
            "Náš nový skladník poplietol štítky.",
            "Kolega technik zabudol priniesť náhradný diel.",
            "Vodič bol nový a zle prečítal adresu.",
        ],
        "blame-third-party": [
            "Kuriér stratil zásielku cestou k Vám.",
            "Dodávateľ oneskoril dodávku o týždeň.",
            "Chyba vznikla vinou banky, nie našou.",
            "Platobná brána zlyhala pri platbe.",
        ],
        "excuse": [
            "Z dôvodu veľkého množstva objednávok odpovedáme pomalšie.",
            "Výpadok bol mimo našej kontroly.",
            "Takéto veci sa v sezóne proste stávajú.",
            "Kvôli sviatkom sme mali menej ľudí.",
        ],
        "conditional-apology": [
            "Prepáčte, ak ste sa cítili sklamaný.",
            "Ospravedlňujeme sa za prípadné nepríjemnosti.",
            "Mrzí nás, ak Vám to spôsobilo nejaké problémy.",
            "Ospravedlňujem sa, ak to tak vnímate.",
        ],
        "minimizing": [
            "Išlo len o malé oneskorenie dvoch dní.",
            "Bola to len drobná chybička na štítku.",
            "Nič vážne sa nestalo.",
            "Meškali sme iba o pár hodín.",
        ],
    },
    "el": {
        "greet": [
            "Αγαπητή κυρία Παπαδοπούλου,",
            "Καλημέρα κύριε Αλεξίου,",
            "Γεια σας Σοφία,",
            "Αγαπητέ κύριε Δημητρίου,",
        ],
        "own": [
            "Το λάθος είναι δικό μας και σας ζητώ συγγνώμη.",
            "Κάναμε λάθος με την παραγγελία σας.",
            "Δεν τηρήσαμε αυτό που σας υποσχεθήκαμε, χωρίς δικαιολογίες.",
            "Αναλαμβάνουμε πλήρως την ευθύνη.",
            "Σας απογοητεύσαμε την περασμένη εβδομάδα.",
            "Η ευθύνη είναι δική μας, όχι δική σας.",
        ],
        "passive": [
            "Ζητούμε συγγνώμη για την καθυστέρηση.",
            "Προέκυψε ένα σφάλμα κατά την επεξεργασία.",
            "Δυστυχώς το δέμα δεν έφτασε εγκαίρως.",
            "Παρακαλούμε δεχτείτε τις απολογίες μας για την κατάσταση.",
        ],
        "remedy": [
            "Σας στέλνουμε σήμερα νέο προϊόν με κούριερ.",
            "Η επιστροφή του ποσού έγινε σήμερα στην κάρτα σας.",
            "Θα σας καλέσω αύριο το πρωί για νέο ραντεβού.",
            "Στέλνουμε τις τρεις αναφορές που λείπουν σήμερα το απόγευμα.",
            "Πιστώνουμε τον λογαριασμό σας με έναν δωρεάν μήνα.",
        ],
        "prevent": [
            "Από εδώ και πέρα κάθε παραγγελία ελέγχεται από δεύτερο άτομο.",
            "Προσθέσαμε υπενθύμιση ώστε να μην ξανασυμβεί.",
            "Στο εξής θα έχετε έναν υπεύθυνο για τον λογαριασμό σας.",
            "Αλλάξαμε τη διαδικασία τιμολόγησης για να μην επαναληφθεί.",
            "Στο μέλλον θα σας ενημερώνουμε για κάθε καθυστέρηση πριν ρωτήσετε.",
        ],
        "close": ["Με εκτίμηση, Ελένη", "Ευχαριστώ, Γιώργος", "Καλή συνέχεια, Μαρία"],
        "blame-customer": [
            "Περιμέναμε ακόμα τα στοιχεία σας, γι' αυτό καθυστέρησε η παράδοση.",
            "Επειδή δεν μας στείλατε την προκαταβολή, η παραγωγή άργησε.",
            "Η πληρωμή σας καθυστέρησε και έτσι δεν ξεκινήσαμε.",
            "Αν μας είχατε ενημερώσει νωρίτερα, ο τεχνικός θα ερχόταν.",
        ],
        "blame-staff": [
            "Ο καινούργιος αποθηκάριος μπέρδεψε τις ετικέτες.",
            "Ο τεχνικός μας ξέχασε να φέρει το ανταλλακτικό.",
            "Ο οδηγός ήταν νέος στη δουλειά και μπέρδεψε τη διεύθυνση.",
        ],
        "blame-third-party": [
            "Η μεταφορική έχασε το δέμα στον δρόμο.",
            "Ο προμηθευτής καθυστέρησε την αποστολή μια εβδομάδα.",
            "Φταίει η τράπεζα για την αποτυχημένη επιστροφή.",
            "Λόγω του κούριερ η παράδοση άργησε.",
        ],
        "excuse": [
            "Λόγω του μεγάλου όγκου παραγγελιών απαντάμε πιο αργά.",
            "Η διακοπή ήταν εκτός του ελέγχου μας.",
            "Αυτά συμβαίνουν στην περίοδο αιχμής.",
            "Λόγω των εορτών είχαμε λιγότερο προσωπικό.",
        ],
        "conditional-apology": [
            "Ζητούμε συγγνώμη αν σας ενόχλησε.",
            "Λυπούμαστε για οποιαδήποτε ταλαιπωρία.",
            "Συγγνώμη αν νιώσατε ότι δεν σας ακούσαμε.",
            "Ζητώ συγγνώμη αν αυτό σας δημιούργησε πρόβλημα.",
        ],
        "minimizing": [
            "Ήταν μόνο μια μικρή καθυστέρηση δύο ημερών.",
            "Πρόκειται για μια μικρή αστοχία στις ετικέτες.",
            "Δεν ήταν τίποτα σοβαρό.",
            "Καθυστερήσαμε μόνο λίγες ώρες.",
        ],
    },
    "th": {
        "greet": ["เรียน คุณสมศรี", "สวัสดีค่ะ คุณประเสริฐ", "เรียน คุณวรรณา", "สวัสดีครับ คุณอนุชา"],
        "own": [
            "ความผิดพลาดนี้เป็นของเราเอง และเราขอโทษค่ะ",
            "เราทำผิดพลาดเรื่องใบแจ้งหนี้ของคุณ",
            "เราไม่ได้ทำตามที่สัญญาไว้ ไม่มีข้อแก้ตัวใดๆ",
            "เป็นความรับผิดชอบของเราทั้งหมด",
            "เราทำให้คุณผิดหวังเมื่อสัปดาห์ที่แล้ว",
            "เราขอรับผิดชอบเรื่องนี้เต็มที่",
        ],
        "passive": [
            "ขออภัยในความล่าช้าของคำสั่งซื้อ",
            "เกิดข้อผิดพลาดในการดำเนินการ",
            "น่าเสียดายที่พัสดุไม่ถึงตามกำหนด",
            "ขอแสดงความเสียใจต่อสถานการณ์ที่เกิดขึ้น",
        ],
        "remedy": [
            "เราจะส่งสินค้าใหม่ให้วันนี้แบบด่วน",
            "เราคืนเงินเต็มจำนวนเข้าบัตรของคุณแล้ว",
            "พรุ่งนี้เช้าเราจะโทรกลับเพื่อนัดวันใหม่",
            "เราจะจัดส่งรายงานสามฉบับที่ขาดไปภายในบ่ายนี้",
            "เราเพิ่มเครดิตใช้บริการฟรีหนึ่งเดือนให้ในบัญชีของคุณ",
        ],
        "prevent": [
            "ตั้งแต่นี้เป็นต้นไปทุกออเดอร์จะมีพนักงานคนที่สองตรวจก่อนส่ง",
            "เราเพิ่มการแจ้งเตือนเพื่อไม่ให้เกิดขึ้นอีก",
            "ต่อไปนี้คุณจะมีผู้ดูแลบัญชีประจำหนึ่งคน",
            "เราเปลี่ยนขั้นตอนการออกใบแจ้งหนี้แล้ว",
            "ในอนาคตเราจะแจ้งความล่าช้าให้ทราบก่อนที่คุณจะต้องถาม",
        ],
        "close": ["ขอบคุณค่ะ นก", "ด้วยความนับถือ ทีมงาน", "ขอบคุณครับ สมชาย"],
        "blame-customer": [
            "เรายังรอข้อมูลจากคุณอยู่ จึงเปิดเว็บไซต์ไม่ได้",
            "เนื่องจากคุณยังไม่ได้ชำระเงินมัดจำ การผลิตจึงล่าช้า",
            "คุณส่งเอกสารมาล่าช้ากว่ากำหนดสามวัน",
            "ถ้าคุณแจ้งเราก่อน ช่างก็จะมาได้ทัน",
        ],
        "blame-staff": [
            "พนักงานใหม่ของเราแพ็คผิดกล่อง",
            "ช่างของเราลืมนำอะไหล่มาด้วย",
            "คนขับของเราอ่านที่อยู่ผิด",
        ],
        "blame-third-party": [
            "บริษัทขนส่งทำพัสดุหายระหว่างทาง",
            "ซัพพลายเออร์ส่งของล่าช้าหนึ่งสัปดาห์",
            "เป็นความผิดของธนาคารที่โอนเงินคืนไม่สำเร็จ",
            "เนื่องจากไปรษณีย์มีปัญหา พัสดุจึงไปถึงช้า",
        ],
        "excuse": [
            "เนื่องจากมีออเดอร์จำนวนมาก เราจึงตอบช้า",
            "ปัญหานี้อยู่นอกเหนือการควบคุมของเรา",
            "เรื่องแบบนี้เกิดขึ้นได้ในช่วงเทศกาล",
            "ระบบขัดข้องตลอดสุดสัปดาห์",
        ],
        "conditional-apology": [
            "ขออภัยหากทำให้คุณไม่พอใจ",
            "ขออภัยในความไม่สะดวกที่อาจเกิดขึ้น",
            "ขอโทษถ้าคุณรู้สึกว่าเราไม่ใส่ใจ",
            "ขอโทษค่ะหากเรื่องนี้ทำให้ลำบาก",
        ],
        "minimizing": [
            "เป็นเพียงความล่าช้าเล็กน้อยสองวัน",
            "แค่ผิดพลาดนิดหน่อยที่ฉลาก",
            "ไม่ใช่เรื่องใหญ่และแก้ไขได้ง่าย",
            "ล่าช้าเพียงไม่กี่ชั่วโมงเท่านั้น",
        ],
    },
}
PROBLEMS = (
    "blame-customer",
    "blame-staff",
    "blame-third-party",
    "excuse",
    "conditional-apology",
    "minimizing",
)


def build(lang: str) -> list[dict[str, object]]:
    p = PARTS[lang]
    sep = " "
    rows: list[dict[str, object]] = []

    def pick(kind: str, i: int) -> str:
        items = p[kind]
        return items[i % len(items)]

    def add(parts: list[str], codes: list[str]) -> None:
        text = (
            pick("greet", len(rows)) + "\n\n" + sep.join(parts) + "\n\n" + pick("close", len(rows))
        )
        rows.append({"id": f"{lang}-{len(rows) + 1:03d}", "text": text, "codes": sorted(codes)})

    for i in range(20):  # clean: ownership, remedy, prevention, nothing else
        add([pick("own", i), pick("remedy", i + 1), pick("prevent", i + 2)], [])
    for j, code in enumerate(PROBLEMS):  # one problem each, five times, in varied places
        for i in range(5):
            parts = [pick("own", i + j), pick("remedy", i + 2 * j), pick("prevent", i + j + 1)]
            parts.insert(i % 3, pick(code, i))
            add(parts, [code])
    for i in range(5):
        add([pick("passive", i), pick("remedy", i), pick("prevent", i + 3)], ["no-ownership"])
        add([pick("own", i + 2), pick("prevent", i + 1)], ["no-remedy"])
        add([pick("own", i + 4), pick("remedy", i + 3)], ["no-prevention"])
    for i in range(5):  # the typical bad reply: passive, an excuse and a fix, no change
        problem = PROBLEMS[(i * 2 + 1) % len(PROBLEMS)]
        add(
            [pick("passive", i + 1), pick(problem, i + 2), pick("remedy", i + 4)],
            [problem, "no-ownership", "no-prevention"],
        )
    return rows


def main() -> None:
    for lang in PARTS:
        rows = build(lang)
        with (HERE / f"{lang}.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(lang, len(rows))


if __name__ == "__main__":
    main()
