"""Demo recovery cases still in the playbook, and the messages exchanged, in each
customer's language. Cases that have ended (won back, lost, parted ways) are in
``outcomes``."""

from __future__ import annotations

from amends.demo.content import DemoCase, DemoMessage
from amends.demo.promises import ELE, NOK, SAM, ZUZ


def inbound(days: float, subject: str, text: str, lang: str) -> DemoMessage:
    return DemoMessage("inbound", days, subject, text, lang)


def outbound(days: float, subject: str, text: str, lang: str) -> DemoMessage:
    return DemoMessage("outbound", days, subject, text, lang)


STORIES: tuple[DemoCase, ...] = (
    # "Where are my reports?": the marketing was sold, never queued, and nobody noticed.
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
            inbound(
                6.0,
                "Kde sú naše reporty?",
                "Dobrý deň,\n\nplatíme vám 200 eur mesačne za marketing, ale za tri mesiace "
                "sme nedostali ani jeden report. Webová stránka je pekná, to áno, ale o "
                "marketingu nevieme vôbec nič. Na poslednej faktúre (mám ju uloženú v "
                "C:\\Users\\novak\\Documents\\faktura.pdf) stojí jasne „marketing – mesačný "
                "paušál“. Čo sa vlastne robí za naše peniaze?\n\nJán Novák",
                "sk",
            ),
            outbound(
                5.8,
                "Re: Kde sú naše reporty?",
                "Dobrý deň, pán Novák,\n\nmáte úplnú pravdu a je to naša chyba. Po spustení "
                "stránky sme marketingovú službu nezaradili do plánu, takže kampane ani "
                "reporty nikdy nezačali a nikto z nás si to nevšimol. Ospravedlňujem sa. Do "
                "piatku Vám pošlem plán kampaní a prvý report a poplatky za tieto tri mesiace "
                "Vám vrátime v plnej výške.\n\nZuzana Horváthová",
                "sk",
            ),
        ),
    ),
    # The report due on the 5th: told before the customer noticed, then missed again.
    DemoCase(
        "artopoieia",
        ELE,
        "Δεν στάλθηκε η μηνιαία αναφορά πωλήσεων",
        "missed_commitment",
        "medium",
        "closed",
        "breach",
        60.0,
        outcome="retained",
        commitment_key="arto-report",
        messages=(
            outbound(
                59.9,
                "Η μηνιαία αναφορά πωλήσεων καθυστερεί",
                "Κυρία Παπαδοπούλου,\n\nσας γράφω πριν το προσέξετε εσείς: η μηνιαία αναφορά "
                "πωλήσεων, που έπρεπε να σας έχει σταλεί στις 5 του μήνα, δεν στάλθηκε. Το "
                "λάθος είναι δικό μας και δεν υπάρχει δικαιολογία. Θα την έχετε μέχρι την "
                "Πέμπτη, και η αναφορά αυτού του μήνα δεν θα χρεωθεί.\n\nΕλένη Παπαδάκη",
                "el",
            ),
            inbound(
                59.0,
                "Re: Η μηνιαία αναφορά πωλήσεων καθυστερεί",
                "Ευχαριστώ που με ενημερώσατε. Τη χρειάζομαι για τη συνάντηση με τη διοίκηση "
                "την Παρασκευή, οπότε σας παρακαλώ να μην αργήσει άλλο.\n\nΜαρία",
                "el",
            ),
            outbound(
                56.0,
                "Τι αλλάξαμε",
                "Κυρία Παπαδοπούλου,\n\nη αναφορά σάς στάλθηκε χθες. Για να μη συμβεί ξανά, "
                "η προετοιμασία της ξεκινά πλέον στις 28 κάθε μήνα, δεύτερο άτομο ελέγχει ότι "
                "στάλθηκε έως τις 5, και αν για οποιονδήποτε λόγο καθυστερήσει, θα σας το πω "
                "εγώ την ίδια μέρα.\n\nΕλένη",
                "el",
            ),
        ),
    ),
    DemoCase(
        "artopoieia",
        ELE,
        "Ξανά δεν στάλθηκε η μηνιαία αναφορά πωλήσεων",
        "missed_commitment",
        "high",
        "new",
        "breach",
        2.0,
        commitment_key="arto-report",
        messages=(
            inbound(
                0.6,
                "Πάλι χωρίς αναφορά",
                "Κυρία Παπαδάκη, πάλι δεν ήρθε η αναφορά. Τον προηγούμενο μήνα μου γράψατε ότι "
                "αλλάξατε τη διαδικασία. Τι ακριβώς άλλαξε; Αρχίζω να αναρωτιέμαι αν αξίζει "
                "να συνεχίσουμε τη συνεργασία.",
                "el",
            ),
        ),
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
            inbound(
                5.0,
                "Where is my kitchen?",
                "We took the whole week off for the fitting. Nobody came on Monday, nobody "
                "called. The old kitchen is already ripped out and we are cooking on a camping "
                "stove. This is not acceptable.",
                "en",
            ),
            outbound(
                4.9,
                "Re: Where is my kitchen?",
                "Dear Amelia, I am so sorry. We promised to deliver and fit your kitchen on "
                "Monday, and nobody turned up or called: that is our failure. I have your order in "
                "front of me and will call you within the hour with a firm date.\n\nSam",
                "en",
            ),
            inbound(
                4.5,
                "Re: Where is my kitchen?",
                "Thursday then. If nobody is here by 9 on Thursday I'm cancelling the order "
                "and asking for every penny back.",
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
            inbound(
                9.0,
                "The vase",
                "The vase finally arrived, three days after the party, and the engraving says "
                '"Grace & Daniel". My husband\'s name is David. 25 years and you could not '
                "get his name right.",
                "en",
            ),
            outbound(
                8.8,
                "Re: The vase",
                "Grace, we got this wrong twice: late and with the wrong name. No excuses. A "
                'new vase engraved "Grace & David" goes out today by express, and we are '
                "refunding the whole order. Please keep the first one or we collect it, as "
                "you prefer.\n\nSam Whitfield",
                "en",
            ),
            inbound(7.5, "Re: The vase", "Thank you. The new one is beautiful.", "en"),
        ),
    ),
    DemoCase(
        "krua-thai",
        NOK,
        "ยอดขายในงบการเงินเดือนล่าสุดไม่ตรง",
        "quality",
        "high",
        "remedied",
        "complaint",
        12.0,
        commitment_key="krua-books",
        messages=(
            inbound(
                12.0,
                "งบเดือนล่าสุดยอดไม่ตรง",
                "สวัสดีค่ะ งบการเงินเดือนล่าสุดที่ส่งมา ยอดขายไม่ตรงกับรายงานจากเครื่องขายหน้าร้าน "
                "ต่างกันเกือบสามหมื่นบาท ช่วยตรวจสอบด่วนด้วยค่ะ เพราะต้องยื่นภาษีสัปดาห์หน้า\n\nมาลี",
                "th",
            ),
            outbound(
                11.7,
                "Re: งบเดือนล่าสุดยอดไม่ตรง",
                "เรียน คุณมาลี\n\nเราตรวจแล้วพบว่าเราบันทึกยอดขายของวันที่ 28 ซ้ำสองครั้ง "
                "เป็นความผิดพลาดของเราเองค่ะ ไม่มีข้อแก้ตัว เราแก้ไขงบและส่งฉบับใหม่ให้แล้ววันนี้ "
                "ค่าทำบัญชีเดือนนี้เราไม่เก็บค่ะ และตั้งแต่นี้ไปเราจะกระทบยอดกับรายงานจากเครื่องขายหน้าร้าน"
                "ทุกครั้งก่อนส่งงบ\n\nนก",
                "th",
            ),
        ),
    ),
    # Told before they found out: the cleaning round that was never scheduled.
    DemoCase(
        "hua-hin-villa",
        NOK,
        "ไม่ได้ทำความสะอาดวิลล่าตามรอบวันจันทร์",
        "missed_commitment",
        "high",
        "remedied",
        "breach",
        5.0,
        commitment_key="villa-clean",
        messages=(
            outbound(
                5.0,
                "รอบทำความสะอาดวิลล่าสัปดาห์นี้",
                "เรียน คุณปิยะนุช\n\nขอแจ้งให้ทราบก่อนค่ะ รอบทำความสะอาดวิลล่าวันจันทร์ที่ผ่านมา "
                "ทีมของเราไม่ได้เข้าไปทำ เพราะเราลืมใส่งานนี้ในตารางของสัปดาห์ "
                "เป็นความผิดพลาดของเราเองค่ะ ทีมแม่บ้านจะเข้าไปทำความสะอาดทั้ง 6 หลังภายในวันนี้ "
                "และรอบนี้เราไม่คิดค่าบริการค่ะ\n\nนก",
                "th",
            ),
            inbound(
                4.8,
                "Re: รอบทำความสะอาดวิลล่าสัปดาห์นี้",
                "ขอบคุณที่แจ้งมาก่อนนะคะ แขกชุดใหม่จะเช็กอินพรุ่งนี้บ่ายสองโมง "
                "ขอให้เสร็จก่อนนั้นด้วยค่ะ แล้วรบกวนส่งรูปห้องมาให้ดูด้วย",
                "th",
            ),
            outbound(
                4.3,
                "Re: รอบทำความสะอาดวิลล่าสัปดาห์นี้",
                "ทำความสะอาดครบทั้ง 6 หลังแล้วค่ะ แนบรูปมาในอีเมลนี้ "
                "เราเปลี่ยนผ้าปูที่นอนและผ้าเช็ดตัวใหม่ทั้งหมด ตั้งแต่สัปดาห์นี้ "
                "ระบบจะเตือนเราทุกวันอาทิตย์ถ้างานวันจันทร์ยังไม่มีคนรับผิดชอบค่ะ",
                "th",
            ),
        ),
    ),
    DemoCase(
        "korat-auto",
        NOK,
        "ยังไม่ได้คืนเงินค่าอะไหล่ที่ไม่ได้ใช้",
        "billing",
        "medium",
        "new",
        "breach",
        13.0,
        commitment_key="korat-refund",
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
        commitment_key="bistro-pos",
        messages=(
            inbound(
                0.2,
                "วันติดตั้ง",
                "จะเข้ามาติดตั้งระบบวันไหนคะ ร้านต้องปิดครึ่งวันหรือเปล่า จะได้แจ้งพนักงานล่วงหน้า",
                "th",
            ),
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
        commitment_key="tatra-sla",
        messages=(
            inbound(
                20.0,
                "Výpadok rezervácií",
                "Celý víkend nešli online rezervácie. Hostia nám volali, že im platba kartou "
                "neprejde, a na vašej pohotovostnej linke to nikto nedvíhal. Odhadujeme, že "
                "sme prišli o 15 rezervácií. Kto za to zodpovedá?\n\nIgor Čierny",
                "sk",
            ),
            outbound(
                19.9,
                "Re: Výpadok rezervácií",
                "Dobrý deň, pán Čierny,\n\nzodpovedáme za to my: v piatok sme nasadili "
                "aktualizáciu bez otestovania platobnej brány a na pohotovostnej linke sme "
                "cez víkend nemali nikoho. Systém sme opravili v nedeľu o 18:00. Za stratené "
                "rezervácie Vám odpúšťame poplatok za dva mesiace.\n\nZuzana Horváthová",
                "sk",
            ),
            outbound(
                12.0,
                "Čo sme zmenili",
                "Dobrý deň, pán Čierny,\n\nodteraz každú aktualizáciu najprv overíme na "
                "skúšobnom prostredí vrátane testovacej platby a nasadzujeme len v pracovné dni "
                "do 14:00. Pohotovosť má cez víkend vždy dvoch ľudí a hovor, ktorý nikto "
                "nezdvihne do piatich minút, sa presmeruje na mňa. Ak by sa niečo pokazilo, "
                "ozveme sa Vám my, skôr než si to všimnete.\n\nZuzana",
                "sk",
            ),
        ),
    ),
    # A complaint that names an employee: he becomes a participant and gives his side.
    DemoCase(
        "kaviaren-dunaj",
        ZUZ,
        "Technik bol neslušný",
        "communication",
        "medium",
        "owned",
        "complaint",
        3.0,
        commitment_key="kaviaren-espresso",
        messages=(
            inbound(
                3.0,
                "Servis kávovaru",
                "Dobrý deň,\n\nkávovar je opravený, za to ďakujem. Ale váš technik Tomáš Baláž "
                "na mňa pred plnou kaviarňou zvýšil hlas, keď som sa spýtala, prečo je faktúra "
                "vyššia, ako ste mi povedali do telefónu. Takto sa so mnou nikto rozprávať "
                "nebude.\n\nJana Mikulová",
                "sk",
            ),
            outbound(
                2.8,
                "Re: Servis kávovaru",
                "Dobrý deň, pani Mikulová,\n\nďakujem, že ste nám to napísali, a je mi ľúto, "
                "ako sa návšteva skončila. Rozdiel v cene sme Vám mali vysvetliť vopred, a nie "
                "až pri pulte. Je to naša chyba a rozdiel Vám vrátime. Dnes sa s Tomášom "
                "porozprávam, vypočujem si aj jeho pohľad a do piatku sa Vám ozvem.\n\n"
                "Zuzana Horváthová",
                "sk",
            ),
        ),
    ),
    # The customer is not right this time: the menu went up eleven days ago.
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
            inbound(
                2.0,
                "Μενού",
                "Σας έστειλα το νέο μενού πριν από δύο εβδομάδες και ακόμα βλέπω το παλιό στην "
                "ιστοσελίδα!!! Οι πελάτες ρωτάνε για πιάτα που δεν έχουμε πια.",
                "el",
            ),
            outbound(
                1.9,
                "Re: Μενού",
                "Κύριε Αλεξίου,\n\nσας ευχαριστούμε που μας γράψατε αμέσως. Το έλεγξα: το νέο "
                "μενού ανέβηκε πριν από έντεκα ημέρες και εμφανίζεται σωστά από κινητό και από "
                "υπολογιστή. Πιθανόν ο φυλλομετρητής σας να δείχνει ακόμα την παλιά σελίδα από "
                "τη μνήμη του. Σας στέλνω τον σύνδεσμο και ένα στιγμιότυπο οθόνης· αν "
                "εξακολουθείτε να βλέπετε το παλιό, πείτε μου να το δούμε μαζί στο τηλέφωνο."
                "\n\nΕλένη",
                "el",
            ),
            inbound(
                1.2,
                "Re: Μενού",
                "Α, από το κινητό το βλέπω σωστά. Στον υπολογιστή του μαγαζιού ήταν το παλιό. "
                "Εντάξει, ευχαριστώ.",
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
            inbound(
                22.0,
                "Σύστημα κρατήσεων",
                "Καλημέρα. Μας είχατε υποσχεθεί ότι το σύστημα κρατήσεων θα ήταν έτοιμο πριν "
                "από τρεις μέρες. Η σεζόν ξεκινά και ακόμα κλείνουμε κρατήσεις στο τηλέφωνο "
                "και σε ένα τετράδιο.",
                "el",
            ),
            outbound(
                21.9,
                "Re: Σύστημα κρατήσεων",
                "Κύριε Χατζή,\n\nδεν κρατήσαμε την ημερομηνία που σας δώσαμε και σας ζητώ "
                "συγγνώμη. Ζητήσαμε πολύ αργά από την τράπεζα τη σύνδεση για τις πληρωμές, και "
                "αυτό ήταν δική μας παράλειψη. Το σύστημα θα λειτουργεί σε τέσσερις μέρες, και "
                "οι δύο πρώτοι μήνες συντήρησης θα είναι δωρεάν.\n\nΕλένη Παπαδάκη",
                "el",
            ),
            outbound(
                17.0,
                "Τι αλλάξαμε",
                "Κύριε Χατζή,\n\nτο σύστημα λειτουργεί από χθες. Για τα επόμενα έργα αλλάξαμε "
                "δύο πράγματα: ό,τι χρειαζόμαστε από τρίτους το ζητάμε την πρώτη εβδομάδα, και "
                "κάθε Παρασκευή σας στέλνω μια σύντομη ενημέρωση για το πού βρισκόμαστε, ώστε "
                "να μη μαθαίνετε για μια καθυστέρηση όταν είναι ήδη αργά.",
                "el",
            ),
            inbound(
                10.0,
                "Re: Τι αλλάξαμε",
                "Μπήκαν ήδη οι πρώτες κρατήσεις από την ιστοσελίδα. Καλή δουλειά.",
                "el",
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
        commitment_key="kriti-labels",
        messages=(
            inbound(
                0.5,
                "Ετικέτες",
                "Καλησπέρα σας, θα είναι έτοιμες οι ετικέτες πριν από την έκθεση της Πέμπτης; "
                "Χρειαζόμαστε τουλάχιστον 500 φιάλες έτοιμες για το περίπτερο.\n\nΕλένη Μαρκάκη",
                "el",
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
        commitment_key="austin-promo",
        messages=(
            inbound(
                4.0,
                "Wrong date in the newsletter",
                "The campaign went to 12,000 people saying the gala is on the 14th. It is on "
                "the 21st. Our phones haven't stopped ringing.",
                "en",
            ),
            outbound(
                3.9,
                "Re: Wrong date in the newsletter",
                "Rachel, that mistake is ours: we used last year's template and I did not "
                "check the date. A correction went to all 12,000 subscribers ten minutes ago "
                "with an apology signed by us, not by you.\n\nSam",
                "en",
            ),
        ),
    ),
    # Hostile strings a customer pasted: the pages must show them, never run them.
    DemoCase(
        "hudson-roasters",
        SAM,
        "SEO report shows another client's data",
        "quality",
        "high",
        "owned",
        "complaint",
        1.0,
        commitment_key="hudson-seo",
        messages=(
            inbound(
                1.0,
                "This isn't our report",
                "Hi Sam, this month's report is full of numbers for a bike shop. The download "
                "link in it points to C:\\Users\\mreyes\\Desktop\\SEO_final (2).pdf, which "
                "obviously isn't ours either. And someone has pasted "
                "<script>alert('hi')</script> into the notes on our dashboard. Can you sort "
                "this out?\n\nMaya",
                "en",
            ),
            outbound(
                0.9,
                "Re: This isn't our report",
                "Maya, you are right and it is our mistake: we sent you another client's report "
                "and left junk in your dashboard notes. The notes are cleaned up and your own "
                "report goes out today. I'm checking every report we sent this month, and "
                "I'll call you tomorrow to walk through yours.\n\nSam",
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
        commitment_key="leeds-it",
        messages=(
            inbound(
                0.3,
                "Visit next week",
                "Your technician is booked for Tuesday but the whole team is in court that "
                "day. Can we move it to Wednesday morning?\n\nHannah",
                "en",
            ),
        ),
    ),
    # Found by the team, told before the customer could find out.
    DemoCase(
        "thames-yoga",
        SAM,
        "Studio left unlocked after the Monday clean",
        "quality",
        "medium",
        "following_up",
        "manual",
        16.0,
        commitment_key="yoga-clean",
        messages=(
            outbound(
                16.0,
                "Your studio was left unlocked on Monday",
                "Hi Priya,\n\nI'd rather you heard this from me: after Monday's evening clean "
                "we left the back door of your studio unlocked. We found it on Tuesday "
                "morning, and as far as we can tell nothing is missing, but it should never "
                "have happened and it is our responsibility. We'll pay for a locksmith to "
                "check that door this week, and this month's cleaning is on us.\n\nSam",
                "en",
            ),
            inbound(
                15.5,
                "Re: Your studio was left unlocked on Monday",
                "Wow, thanks for telling me, I'd never have known. Please make sure it doesn't "
                "happen again though, the sound system lives in there.",
                "en",
            ),
            outbound(
                13.0,
                "What we changed",
                "Priya, from this week the cleaner works from a signed checklist that ends "
                "with locking both doors and photographing them, and the photos come to you "
                "and to me every Monday night. If they haven't arrived by 11pm, I call the "
                "cleaner and then you.\n\nSam",
                "en",
            ),
            inbound(6.0, "Re: What we changed", "Got the photos again tonight. Appreciated!", "en"),
        ),
    ),
)
