"""Demo recovery cases and the messages exchanged, in each customer's language."""

from __future__ import annotations

from amends.demo.content import DemoCase, DemoMessage
from amends.demo.promises import ELE, MGR, NOK, SAM, ZUZ


def _in(days: float, subject: str, text: str, lang: str) -> DemoMessage:
    return DemoMessage("inbound", days, subject, text, lang)


def _out(days: float, subject: str, text: str, lang: str) -> DemoMessage:
    return DemoMessage("outbound", days, subject, text, lang)


CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "pekaren-novak",
        ZUZ,
        "Kde sú naše marketingové reporty?",
        "missed_commitment",
        "high",
        "owned",
        "complaint",
        6.0,
        commitment_key="novak-mkt",
        messages=(
            _in(
                6.0,
                "Kde sú naše reporty?",
                "Dobrý deň, platíme vám 200 eur mesačne za marketing, ale za tri mesiace sme "
                "nedostali ani jeden report. Webová stránka je pekná, to áno, ale o marketingu "
                "nevieme nič. Čo sa vlastne robí za naše peniaze?\n\nJán Novák",
                "sk",
            ),
            _out(
                5.8,
                "Re: Kde sú naše reporty?",
                "Dobrý deň, pán Novák,\n\nmáte úplnú pravdu a je to naša chyba. Po spustení "
                "stránky sme marketingovú službu nezaradili do plánu, takže reporty nikdy "
                "nezačali. Ospravedlňujem sa. Do piatku Vám pošlem plán kampaní a prvý report; "
                "za tri mesiace Vám poplatok vrátime.\n\nZuzana Horváthová",
                "sk",
            ),
        ),
    ),
    DemoCase(
        "artopoieia",
        ELE,
        "Λείπει η αναφορά πωλήσεων Σεπτεμβρίου",
        "missed_commitment",
        "medium",
        "new",
        "breach",
        60.0,
        commitment_key="arto-report",
    ),
    DemoCase(
        "kitchen-co",
        SAM,
        "Kitchen units not delivered on the agreed date",
        "late_delivery",
        "critical",
        "acknowledged",
        "complaint",
        5.0,
        commitment_key="kitchen-fit",
        messages=(
            _in(
                5.0,
                "Where is my kitchen?",
                "We took the whole week off for the fitting. Nobody came on Monday, nobody "
                "called. The old kitchen is already ripped out and we are cooking on a camping "
                "stove. This is not acceptable.",
                "en",
            ),
            _out(
                4.9,
                "Re: Where is my kitchen?",
                "Dear Amelia, I am so sorry. We promised the units and the fitters for Monday "
                "and we did not turn up: that is our failure. I have your order in front of me "
                "and will call you within the hour with a firm date.\n\nSam",
                "en",
            ),
        ),
    ),
    DemoCase(
        "boston-bakery",
        SAM,
        "Wrong name engraved on the anniversary vase",
        "wrong_item",
        "high",
        "compensated",
        "complaint",
        9.0,
        commitment_key="bakery-vase",
        messages=(
            _in(
                9.0,
                "The vase",
                "The vase finally arrived, three days after the party, and the engraving says "
                '"Grace & Daniel". My husband\'s name is David. 25 years and you could not '
                "get his name right.",
                "en",
            ),
            _out(
                8.8,
                "Re: The vase",
                "Grace, we got this wrong twice: late and with the wrong name. No excuses. A "
                'new vase engraved "Grace & David" goes out today by express, and we are '
                "refunding the whole order. Please keep the first one or we collect it, as "
                "you prefer.\n\nSam Whitfield",
                "en",
            ),
            _in(7.5, "Re: The vase", "Thank you. The new one is beautiful.", "en"),
        ),
    ),
    DemoCase(
        "krua-thai",
        NOK,
        "ยอดในงบการเงินเดือนกันยายนไม่ตรง",
        "quality",
        "high",
        "remedied",
        "complaint",
        12.0,
        messages=(
            _in(
                12.0,
                "งบเดือนกันยายนผิด",
                "สวัสดีค่ะ งบการเงินเดือนกันยายนที่ส่งมา ยอดขายไม่ตรงกับรายงานจากเครื่องขายหน้าร้าน "
                "ต่างกันเกือบสามหมื่นบาท ช่วยตรวจสอบด่วนด้วยค่ะ เพราะต้องยื่นภาษีสัปดาห์หน้า",
                "th",
            ),
            _out(
                11.7,
                "Re: งบเดือนกันยายนผิด",
                "เรียน คุณมาลี\n\nเราตรวจแล้วพบว่าเราบันทึกยอดขายวันที่ 28 ซ้ำสองครั้ง "
                "เป็นความผิดพลาดของเราเองค่ะ เราแก้ไขงบและส่งฉบับใหม่ให้แล้ววันนี้ "
                "และเพิ่มการกระทบยอดกับรายงานหน้าร้านทุกเดือนก่อนส่งงบ\n\nนก",
                "th",
            ),
        ),
    ),
    DemoCase(
        "baan-suan",
        NOK,
        "ดอกไม้ส่งผิดที่อยู่ในงานแต่งงาน",
        "wrong_item",
        "high",
        "closed",
        "complaint",
        40.0,
        outcome="retained",
        messages=(
            _in(
                40.0,
                "ดอกไม้งานแต่ง",
                "ช่อดอกไม้สำหรับงานแต่งงานลูกค้าของเราถูกส่งไปที่โรงแรมผิดแห่ง "
                "ลูกค้าโกรธมาก เราต้องไปซื้อดอกไม้ที่ตลาดแทน",
                "th",
            ),
            _out(
                39.8,
                "Re: ดอกไม้งานแต่ง",
                "คุณสมศรีคะ เราขอโทษจริงๆ ค่ะ คนขับของเราอ่านที่อยู่ผิด นี่เป็นความรับผิดชอบของเรา "
                "เราคืนเงินค่าดอกไม้ทั้งหมด และจะจัดดอกไม้ตกแต่งร้านให้ฟรีหนึ่งเดือน "
                "ตั้งแต่วันนี้ทุกออร์เดอร์จะมีการโทรยืนยันที่อยู่ก่อนออกรถ",
                "th",
            ),
            _in(33.0, "Re: ดอกไม้งานแต่ง", "ขอบคุณค่ะ ได้รับเงินคืนแล้ว", "th"),
        ),
    ),
    DemoCase(
        "hotel-tatra",
        ZUZ,
        "Rezervačný systém nefungoval cez víkend",
        "quality",
        "critical",
        "change_explained",
        "complaint",
        20.0,
        messages=(
            _in(
                20.0,
                "Výpadok rezervácií",
                "Celý víkend nešli online rezervácie. Hostia nám volali, že platba padá. "
                "Odhadujeme, že sme prišli o 15 rezervácií. Kto za to zodpovedá?\n\nIgor Čierny",
                "sk",
            ),
            _out(
                19.9,
                "Re: Výpadok rezervácií",
                "Dobrý deň, pán Čierny,\n\nzodpovedáme za to my: v piatok sme nasadili "
                "aktualizáciu bez otestovania platobnej brány. Systém sme opravili v nedeľu "
                "o 18:00. Za stratené rezervácie Vám odpúšťame poplatok za dva mesiace.",
                "sk",
            ),
            _out(
                12.0,
                "Čo sme zmenili",
                "Odteraz každú aktualizáciu najprv overíme na skúšobnom prostredí vrátane "
                "testovacej platby a nasadzujeme len v pracovné dni do 14:00. Ak by sa niečo "
                "pokazilo, ozveme sa Vám my, skôr než si to všimnete.",
                "sk",
            ),
        ),
    ),
    DemoCase(
        "kaviaren-dunaj",
        ZUZ,
        "Technik bol neslušný",
        "communication",
        "medium",
        "owned",
        "complaint",
        3.0,
        messages=(
            _in(
                3.0,
                "Servis kávovaru",
                "Kávovar je opravený, ďakujem, ale váš technik Tomáš Baláž na mňa pred "
                "zákazníkmi zvýšil hlas, keď som sa pýtala na cenu. Takto sa so mnou nikto "
                "rozprávať nebude.\n\nJana Horváthová",
                "sk",
            ),
            _out(
                2.8,
                "Re: Servis kávovaru",
                "Pani Horváthová, mrzí ma to. Takto sa k Vám správať nemal nikto z nás. S "
                "Tomášom hovorím dnes a ozvem sa Vám do piatku.",
                "sk",
            ),
        ),
    ),
    DemoCase(
        "santorini-suites",
        ELE,
        "Λάθος τιμές στην ιστοσελίδα για τον Αύγουστο",
        "quality",
        "high",
        "closed",
        "complaint",
        55.0,
        outcome="won_back",
        messages=(
            _in(
                55.0,
                "Τιμές Αυγούστου",
                "Η ιστοσελίδα δείχνει τις τιμές του Μαΐου για τον Αύγουστο. Πουλήσαμε τρεις "
                "σουίτες στη μισή τιμή. Πώς έγινε αυτό;",
                "el",
            ),
            _out(
                54.8,
                "Re: Τιμές Αυγούστου",
                "Κύριε Σιγάλα, το λάθος είναι δικό μας: περάσαμε τον λάθος τιμοκατάλογο. "
                "Διορθώθηκε πριν από μία ώρα. Θα καλύψουμε τη διαφορά για τις τρεις κρατήσεις "
                "και από εδώ και πέρα κάθε αλλαγή τιμών ελέγχεται από δεύτερο άτομο.",
                "el",
            ),
        ),
    ),
    DemoCase(
        "iatreio-kostas",
        ELE,
        "Διπλή χρέωση συνδρομής",
        "billing",
        "low",
        "closed",
        "complaint",
        8.0,
        outcome="retained",
        messages=(
            _in(
                8.0,
                "Διπλή χρέωση",
                "Καλημέρα, η κάρτα μου χρεώθηκε δύο φορές για τον Οκτώβριο.",
                "el",
            ),
            _out(
                7.9,
                "Re: Διπλή χρέωση",
                "Καλημέρα κύριε Δημητρίου, έχετε δίκιο, σας χρεώσαμε δύο φορές εμείς. Η "
                "επιστροφή έγινε σήμερα και θα τη δείτε σε 2-3 εργάσιμες.",
                "el",
            ),
        ),
    ),
    DemoCase(
        "taverna-nikos",
        ELE,
        "Το νέο μενού δεν ανέβηκε ποτέ",
        "missed_commitment",
        "medium",
        "acknowledged",
        "complaint",
        2.0,
        commitment_key="nikos-menu",
        messages=(
            _in(
                2.0,
                "Μενού",
                "Σας έστειλα το νέο μενού πριν από δύο εβδομάδες και ακόμα βλέπω το παλιό στην "
                "ιστοσελίδα!",
                "el",
            ),
            _out(
                1.9,
                "Re: Μενού",
                "Κύριε Αλεξίου, σας ευχαριστούμε που μας γράψατε. Το μενού ανέβηκε στις "
                "12 του μήνα· ίσως ο φυλλομετρητής σας δείχνει την παλιά σελίδα. Σας στέλνω "
                "τον σύνδεσμο και ένα στιγμιότυπο για να το δείτε.",
                "el",
            ),
        ),
    ),
    DemoCase(
        "rodos-boats",
        ELE,
        "Καθυστέρηση στο σύστημα κρατήσεων",
        "late_delivery",
        "medium",
        "following_up",
        "complaint",
        22.0,
        commitment_key="rodos-booking",
        messages=(
            _in(
                22.0,
                "Σύστημα κρατήσεων",
                "Μας είχατε πει ότι το σύστημα θα είναι έτοιμο πριν από το Πάσχα.",
                "el",
            ),
            _out(
                21.9,
                "Re: Σύστημα κρατήσεων",
                "Κύριε Χατζή, δεν κρατήσαμε την ημερομηνία που σας δώσαμε και σας ζητώ "
                "συγγνώμη. Το σύστημα παραδίδεται την Πέμπτη· οι δύο πρώτοι μήνες "
                "συντήρησης είναι δωρεάν.",
                "el",
            ),
        ),
    ),
    DemoCase(
        "korat-auto",
        NOK,
        "ยังไม่ได้รับเงินคืนค่าอะไหล่",
        "billing",
        "medium",
        "new",
        "breach",
        13.0,
        commitment_key="korat-refund",
    ),
    DemoCase(
        "phuket-dive",
        NOK,
        "เครื่องยนต์เรือดับกลางทะเล",
        "quality",
        "critical",
        "closed",
        "complaint",
        70.0,
        outcome="won_back",
        messages=(
            _in(
                70.0,
                "เรือเสีย",
                "เครื่องยนต์ที่เพิ่งซ่อมดับกลางทะเลพร้อมนักท่องเที่ยวแปดคน ต้องเรียกเรืออื่นมาลาก "
                "เราจะไม่ใช้บริการของคุณอีกแล้ว",
                "th",
            ),
            _out(
                69.7,
                "Re: เรือเสีย",
                "คุณอนุชาครับ เราขอโทษอย่างสุดซึ้ง ช่างของเราประกอบปั๊มน้ำมันเชื้อเพลิงผิด "
                "เป็นความผิดของเราเอง เราจะคืนค่าซ่อมทั้งหมด จ่ายค่าเรือลาก "
                "และซ่อมใหม่ให้ฟรีโดยหัวหน้าช่าง",
                "th",
            ),
            _out(
                60.0,
                "สิ่งที่เราเปลี่ยน",
                "ตั้งแต่นี้ทุกงานซ่อมเครื่องยนต์ต้องทดสอบในน้ำหนึ่งชั่วโมงก่อนส่งมอบ และหัวหน้าช่างต้องลงชื่อรับรองทุกครั้ง",
                "th",
            ),
        ),
    ),
    DemoCase(
        "isan-farm",
        NOK,
        "ระบบสั่งซื้อออนไลน์ล่มช่วงเทศกาล",
        "quality",
        "high",
        "closed",
        "complaint",
        90.0,
        outcome="lost",
        messages=(
            _in(90.0, "เว็บล่ม", "เว็บสั่งผักล่มสามวันช่วงเทศกาล ลูกค้าหายหมด", "th"),
            _out(
                89.9,
                "Re: เว็บล่ม",
                "เราขอโทษครับ เซิร์ฟเวอร์ของเรารับปริมาณคำสั่งซื้อไม่ไหว เราพลาดเอง "
                "เราย้ายระบบไปเซิร์ฟเวอร์ใหม่แล้ว และไม่คิดค่าบริการสองเดือน",
                "th",
            ),
        ),
    ),
    DemoCase(
        "kvetiny-lucia",
        MGR,
        "Opakované sťažnosti a urážky voči tímu",
        "communication",
        "low",
        "closed",
        "manual",
        120.0,
        outcome="parted_ways",
        messages=(
            _in(120.0, "Zase!", "Vaša firma je banda neschopných ľudí, platiť vám nebudem.", "sk"),
            _out(
                118.0,
                "Ukončenie spolupráce",
                "Pani Benková, ďakujeme za doterajšiu spoluprácu. Po viacerých rozhovoroch "
                "sme dospeli k tomu, že Vám nevieme poskytnúť službu, akú očakávate. "
                "Spoluprácu k 30. dňu ukončíme a všetky podklady Vám odovzdáme.",
                "sk",
            ),
        ),
    ),
    DemoCase(
        "fitko-nitra",
        ZUZ,
        "Nefunkčný rezervačný systém lekcií",
        "quality",
        "medium",
        "closed",
        "complaint",
        150.0,
        outcome="lost",
        messages=(
            _in(150.0, "Rezervácie", "Klienti sa nevedia prihlásiť na lekcie.", "sk"),
            _out(
                149.5,
                "Re: Rezervácie",
                "Chyba bola na našej strane, opravili sme ju a poplatok za mesiac Vám vraciame.",
                "sk",
            ),
        ),
    ),
    DemoCase(
        "austin-events",
        SAM,
        "Newsletter sent with the wrong event date",
        "quality",
        "high",
        "remedied",
        "complaint",
        4.0,
        messages=(
            _in(
                4.0,
                "Wrong date in the newsletter",
                "The campaign went to 12,000 people saying the gala is on the 14th. It is on "
                "the 21st. Our phones haven't stopped ringing.",
                "en",
            ),
            _out(
                3.9,
                "Re: Wrong date in the newsletter",
                "Rachel, that mistake is ours: we used last year's template and I did not "
                "check the date. A correction went to all 12,000 subscribers ten minutes ago "
                "with an apology signed by us, not by you.",
                "en",
            ),
        ),
    ),
    DemoCase(
        "hudson-roasters",
        SAM,
        "SEO report shows another client's data",
        "quality",
        "high",
        "owned",
        "complaint",
        1.0,
        messages=(
            _in(
                1.0,
                "This isn't our report",
                "The October report is full of numbers for a bike shop. Also the link in it "
                "points to C:\\Users\\novak\\Documents\\faktura.pdf, which is not ours either. "
                "Someone pasted <script>alert('hi')</script> into our dashboard notes too.",
                "en",
            ),
            _out(
                0.9,
                "Re: This isn't our report",
                "Maya, you are right and I'm sorry: we attached another client's report. "
                "Yours is on the way today, and I am checking every report we sent this "
                "month.",
                "en",
            ),
        ),
    ),
    DemoCase(
        "brightside-dental",
        SAM,
        "Invoice charged twice",
        "billing",
        "low",
        "closed",
        "complaint",
        6.0,
        outcome="retained",
        messages=(
            _in(6.0, "Double invoice", "We were charged twice for October.", "en"),
            _out(
                5.9,
                "Re: Double invoice",
                "Dr Shaw, our billing run charged you twice; that is our mistake. The second "
                "charge is refunded to your card today.",
                "en",
            ),
        ),
    ),
    DemoCase(
        "leeds-legal",
        SAM,
        "Monthly visit booked on a court day",
        "communication",
        "low",
        "new",
        "complaint",
        0.3,
        messages=(
            _in(
                0.3,
                "Visit next week",
                "Your technician is booked for Tuesday but the whole team is in court that "
                "day. Can we move it?",
                "en",
            ),
        ),
    ),
    DemoCase(
        "elaiolado-kriti",
        ELE,
        "Ερώτηση για τις ετικέτες",
        "communication",
        "low",
        "new",
        "complaint",
        0.5,
        messages=(
            _in(
                0.5,
                "Ετικέτες",
                "Καλησπέρα, θα είναι έτοιμες οι ετικέτες πριν από την έκθεση της Πέμπτης;",
                "el",
            ),
        ),
    ),
    DemoCase(
        "bangkok-bistro",
        NOK,
        "สอบถามวันติดตั้งระบบขายหน้าร้าน",
        "communication",
        "low",
        "new",
        "complaint",
        0.2,
        messages=(_in(0.2, "วันติดตั้ง", "จะมาติดตั้งระบบวันไหนคะ ร้านต้องปิดครึ่งวันหรือเปล่า", "th"),),
    ),
    DemoCase(
        "vinarstvo-modra",
        ZUZ,
        "Etikety vytlačené s preklepom",
        "wrong_item",
        "medium",
        "closed",
        "complaint",
        28.0,
        outcome="won_back",
        messages=(
            _in(28.0, "Etikety", "Na etiketách je „Frankovka modrá“ napísaná s preklepom.", "sk"),
            _out(
                27.8,
                "Re: Etikety",
                "Pán Bartoš, preklep sme urobili my. Nové etikety tlačíme na naše náklady a "
                "doručíme ich do stredy.",
                "sk",
            ),
        ),
    ),
)
