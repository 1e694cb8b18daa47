"""Demo cases that have ended: customers retained, won back, lost, or parted with.

The persistence is the point: most of these threads go on after the first apology.
"""

from __future__ import annotations

from amends.demo.content import DemoCase
from amends.demo.promises import ELE, MGR, NOK, OWNER, SAM, ZUZ
from amends.demo.stories import inbound, outbound

ENDED: tuple[DemoCase, ...] = (
    DemoCase(
        "baan-suan",
        NOK,
        "ช่อดอกไม้งานแต่งงานถูกส่งไปผิดโรงแรม",
        "wrong_item",
        "high",
        "closed",
        "complaint",
        40.0,
        outcome="retained",
        commitment_key="baan-wedding",
        messages=(
            inbound(
                40.0,
                "ดอกไม้งานแต่ง",
                "ช่อดอกไม้สำหรับงานแต่งงานของลูกค้าเราถูกส่งไปผิดโรงแรม ลูกค้าโทรมาต่อว่าทั้งเช้า "
                "สุดท้ายเราต้องวิ่งไปซื้อดอกไม้ที่ปากคลองตลาดมาจัดใหม่เอง แบบนี้ร้านเราเสียชื่อหมดค่ะ",
                "th",
            ),
            outbound(
                39.8,
                "Re: ดอกไม้งานแต่ง",
                "คุณสมศรีคะ\n\nเราขอโทษจริงๆ ค่ะ เราส่งช่อดอกไม้ไปผิดโรงแรมเอง เป็นความผิดของเราทั้งหมด "
                "เราจะคืนค่าจัดส่งและค่าดอกไม้ที่คุณต้องซื้อใหม่ให้ทั้งหมดภายในวันนี้ "
                "และจะจัดส่งให้ร้านฟรีตลอดหนึ่งเดือน ตั้งแต่วันนี้คนขับของเราต้องโทรยืนยันชื่อสถานที่"
                "กับผู้รับก่อนออกรถทุกครั้งค่ะ\n\nนก",
                "th",
            ),
            inbound(33.0, "Re: ดอกไม้งานแต่ง", "ขอบคุณค่ะ ได้รับเงินคืนแล้ว หวังว่าจะไม่เกิดขึ้นอีกนะคะ", "th"),
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
        commitment_key="iatreio-refund",
        messages=(
            inbound(
                8.0,
                "Διπλή χρέωση",
                "Καλημέρα, η κάρτα μου χρεώθηκε δύο φορές για τη συνδρομή αυτού του μήνα.",
                "el",
            ),
            outbound(
                7.9,
                "Re: Διπλή χρέωση",
                "Καλημέρα, κύριε Δημητρίου,\n\nέχετε δίκιο: σας χρεώσαμε δύο φορές εμείς. Η "
                "επιστροφή έγινε σήμερα και θα τη δείτε στην κάρτα σας σε δύο με τρεις "
                "εργάσιμες. Ζητώ συγγνώμη για την ταλαιπωρία.\n\nΕλένη",
                "el",
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
        commitment_key="brightside-refund",
        messages=(
            inbound(
                6.0,
                "Double invoice",
                "We were charged twice for this month's plan. Please refund one.",
                "en",
            ),
            outbound(
                5.9,
                "Re: Double invoice",
                "Dr Shaw, our billing run charged you twice; that is our mistake, and I'm "
                "sorry. The second charge is refunded to your card today and should show "
                "within three working days.\n\nSam",
                "en",
            ),
        ),
    ),
    DemoCase(
        "phuket-dive",
        NOK,
        "เครื่องยนต์เรือดับกลางทะเลหลังซ่อม",
        "quality",
        "critical",
        "closed",
        "complaint",
        70.0,
        outcome="won_back",
        commitment_key="dive-boat",
        messages=(
            inbound(
                70.0,
                "เรือเสียกลางทะเล",
                "เครื่องยนต์ที่เพิ่งซ่อมเสร็จเมื่อวานซืนดับกลางทะเล ตอนนั้นมีนักท่องเที่ยวอยู่บนเรือแปดคน "
                "ต้องเรียกเรืออีกลำมาลากกลับฝั่ง ต้องคืนเงินลูกค้าทั้งทริป "
                "เราจะไม่ใช้บริการของคุณอีกแล้ว",
                "th",
            ),
            outbound(
                69.7,
                "Re: เรือเสียกลางทะเล",
                "คุณอนุชาคะ\n\nเราขอโทษอย่างสุดซึ้งค่ะ เราประกอบปั๊มน้ำมันเชื้อเพลิงกลับเข้าไปไม่แน่น "
                "และส่งมอบเรือโดยไม่ได้ทดสอบในทะเล เป็นความผิดของเราเองทั้งหมด "
                "เราจะคืนค่าซ่อมเต็มจำนวน รับผิดชอบค่าเรือลากและเงินที่คุณต้องคืนให้นักท่องเที่ยว "
                "และหัวหน้าช่างจะไปซ่อมให้ใหม่ที่ท่าเรือพรุ่งนี้เช้าโดยไม่มีค่าใช้จ่ายค่ะ\n\nนก",
                "th",
            ),
            inbound(
                66.0,
                "Re: เรือเสียกลางทะเล",
                "ได้รับเงินคืนแล้วครับ เรือกลับมาใช้งานได้ แต่ผมยังไม่แน่ใจว่าจะใช้บริการต่อหรือเปล่า",
                "th",
            ),
            outbound(
                60.0,
                "สิ่งที่เราเปลี่ยน",
                "คุณอนุชาคะ\n\nตั้งแต่นี้ไปงานซ่อมเครื่องยนต์ทุกงานต้องทดสอบในทะเลอย่างน้อยหนึ่งชั่วโมง"
                "ก่อนส่งมอบ และหัวหน้าช่างต้องลงชื่อรับรองทุกครั้ง ถ้าเรือของคุณมีปัญหาอะไรอีก "
                "ดิฉันจะโทรหาคุณเองค่ะ ขอโอกาสเราอีกสักครั้ง "
                "ก่อนเปิดฤดูกาลเราจะตรวจเช็กเรือทุกลำของคุณให้ฟรีค่ะ",
                "th",
            ),
            inbound(
                45.0,
                "Re: สิ่งที่เราเปลี่ยน",
                "ตกลงครับ ลองอีกครั้ง ตรวจเช็กเรือครบแล้ว พร้อมออกทะเล ขอบคุณที่ตามเรื่องให้จนจบ",
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
        commitment_key="isan-refund",
        messages=(
            inbound(
                90.0,
                "เว็บล่ม",
                "เว็บสั่งผักล่มสามวันติดช่วงเทศกาล ลูกค้าสั่งไม่ได้เลย ผักเน่าคาโกดังไปหลายร้อยกิโล",
                "th",
            ),
            outbound(
                89.9,
                "Re: เว็บล่ม",
                "คุณบุญเรือนคะ\n\nเราขอโทษค่ะ เราเตรียมเซิร์ฟเวอร์ไว้ไม่พอรับคำสั่งซื้อที่เพิ่มขึ้น "
                "ทั้งที่ควรคาดไว้ล่วงหน้า เป็นความผิดของเราเอง "
                "ตอนนี้เราย้ายระบบไปเซิร์ฟเวอร์ใหม่ที่รองรับได้มากกว่าเดิมสิบเท่าแล้ว "
                "และจะคืนค่าบริการสองเดือนให้ค่ะ\n\nนก",
                "th",
            ),
            inbound(
                84.0,
                "Re: เว็บล่ม",
                "ขอบคุณที่คืนเงิน แต่ความเสียหายมันมากกว่านั้นเยอะ เราตัดสินใจย้ายไปขายผ่านแอปส่งอาหารแทนแล้ว",
                "th",
            ),
            outbound(
                83.0,
                "Re: เว็บล่ม",
                "เข้าใจค่ะ ขอบคุณที่ให้เราดูแลมาตลอด ข้อมูลลูกค้าและรายการสินค้าทั้งหมด "
                "เราส่งออกเป็นไฟล์แนบมาให้แล้ว ถ้าวันไหนอยากกลับมาขายผ่านเว็บของตัวเองอีก "
                "ยินดีช่วยเสมอค่ะ",
                "th",
            ),
        ),
    ),
    # Not every customer fits: parting ways, respectfully.
    DemoCase(
        "kvetiny-lucia",
        MGR,
        "Opakované urážky voči tímu, ukončenie spolupráce",
        "communication",
        "low",
        "closed",
        "manual",
        120.0,
        outcome="parted_ways",
        commitment_key="lucia-handover",
        messages=(
            inbound(
                120.0,
                "Zase!",
                "Zase ste mi posunuli termín. Vaša firma je banda neschopných ľudí a platiť vám "
                "nebudem, kým to nebude hotové!!!",
                "sk",
            ),
            outbound(
                118.0,
                "Ukončenie spolupráce",
                "Dobrý deň, pani Benková,\n\nďakujeme za doterajšiu spoluprácu. Po viacerých "
                "rozhovoroch sme dospeli k záveru, že Vám nevieme poskytnúť službu, akú "
                "očakávate, a nechceme, aby ste platili za niečo, s čím nie ste spokojná. "
                "Spoluprácu ukončíme ku koncu mesiaca. Do desiatich dní Vám odovzdáme všetky "
                "podklady, prístupy a zdrojové súbory e-shopu, aby ste mohli bez prerušenia "
                "pokračovať s iným dodávateľom.\n\nMarek Kováč",
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
        commitment_key="fitko-refund",
        messages=(
            inbound(
                150.0,
                "Rezervácie",
                "Klienti sa už tretí deň nevedia prihlásiť na lekcie. Recepcia to rieši "
                "telefonicky a my strácame ľudí.",
                "sk",
            ),
            outbound(
                149.5,
                "Re: Rezervácie",
                "Dobrý deň, pán Šulek,\n\nchyba bola na našej strane: pri poslednej "
                "aktualizácii sme pokazili prihlasovanie a nevšimli sme si to. Je opravená a "
                "poplatok za tento mesiac Vám vraciame.\n\nZuzana Horváthová",
                "sk",
            ),
            inbound(
                140.0,
                "Re: Rezervácie",
                "Ďakujem, peniaze prišli. Rozhodli sme sa však prejsť na iný systém, zmluvu "
                "vypovedáme k poslednému dňu mesiaca.",
                "sk",
            ),
        ),
    ),
    DemoCase(
        "santorini-suites",
        ELE,
        "Λάθος τιμές υψηλής περιόδου στην ιστοσελίδα",
        "quality",
        "high",
        "closed",
        "complaint",
        55.0,
        outcome="won_back",
        commitment_key="santorini-web",
        messages=(
            inbound(
                55.0,
                "Τιμές υψηλής περιόδου",
                "Η ιστοσελίδα δείχνει τις τιμές της χαμηλής περιόδου για τον Αύγουστο. "
                "Πουλήσαμε ήδη τρεις σουίτες στη μισή τιμή. Πώς έγινε αυτό;",
                "el",
            ),
            outbound(
                54.8,
                "Re: Τιμές υψηλής περιόδου",
                "Κύριε Σιγάλα,\n\nτο λάθος είναι δικό μας: ανεβάσαμε λάθος τιμοκατάλογο και δεν "
                "τον ελέγξαμε. Οι τιμές διορθώθηκαν πριν από μία ώρα. Τη διαφορά για τις τρεις "
                "κρατήσεις θα την καλύψουμε εμείς, και από εδώ και πέρα κάθε αλλαγή τιμών θα "
                "ελέγχεται από δεύτερο άτομο πριν δημοσιευτεί.\n\nΕλένη Παπαδάκη",
                "el",
            ),
            inbound(
                50.0,
                "Re: Τιμές υψηλής περιόδου",
                "Είδα ότι καλύψατε τη διαφορά. Σας ευχαριστώ, ειλικρινά δεν το περίμενα.",
                "el",
            ),
        ),
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
        commitment_key="modra-labels",
        messages=(
            inbound(
                28.0,
                "Etikety",
                "Na nových etiketách je namiesto „Frankovka modrá“ napísané „Frankovka "
                "mordá“. Tisíc fliaš už je olepených. To snáď nikto nekontroloval?",
                "sk",
            ),
            outbound(
                27.8,
                "Re: Etikety",
                "Dobrý deň, pán Bartoš,\n\npreklep sme urobili my a pri kontrole sme ho "
                "prehliadli. Nové etikety tlačíme na naše náklady, doručíme ich do stredy a s "
                "prelepením fliaš Vám pomôžu dvaja naši ľudia. Odteraz Vám pred tlačou vždy "
                "pošleme náhľad na schválenie.\n\nZuzana Horváthová",
                "sk",
            ),
            inbound(
                20.0, "Re: Etikety", "Etikety sú v poriadku, ďakujem aj chlapcom za pomoc.", "sk"
            ),
        ),
    ),
    # Fool me twice: a lost customer asked for one small chance, and gave it.
    DemoCase(
        "kafeneio-plaka",
        ELE,
        "Δεύτερη Δευτέρα χωρίς καθαρισμό μέσα στον μήνα",
        "missed_commitment",
        "high",
        "closed",
        "complaint",
        95.0,
        outcome="won_back",
        messages=(
            inbound(
                95.0,
                "Πάλι δεν ήρθε κανείς",
                "Δεύτερη Δευτέρα μέσα στον μήνα που δεν ήρθε κανείς για καθαρισμό. Άνοιξα το "
                "μαγαζί με βρόμικα πατώματα και τα τραπέζια της αυλής γεμάτα φύλλα. Δεν θέλω "
                "άλλες συγγνώμες. Θέλω να σταματήσουμε τη συνεργασία.\n\nΣοφία Νικολάου",
                "el",
            ),
            outbound(
                94.8,
                "Re: Πάλι δεν ήρθε κανείς",
                "Κυρία Νικολάου,\n\nέχετε απόλυτο δίκιο, και το ότι συνέβη δεύτερη φορά το κάνει "
                "χειρότερο. Δεν είχαμε οργανώσει αντικατάσταση για τις Δευτέρες, και αυτό είναι "
                "δική μας ευθύνη. Σήμερα στις 11 έρχεται συνεργείο να καθαρίσει τα πάντα, και "
                "δεν θα χρεωθείτε τίποτα για αυτόν τον μήνα. Σέβομαι την απόφασή σας.\n\n"
                "Ελένη Παπαδάκη",
                "el",
            ),
            inbound(
                94.0,
                "Re: Πάλι δεν ήρθε κανείς",
                "Ευχαριστώ για το συνεργείο. Έχουμε όμως ήδη μιλήσει με άλλη εταιρεία.",
                "el",
            ),
            outbound(
                80.0,
                "Μια ευκαιρία ακόμη",
                "Κυρία Νικολάου,\n\nδεν θα σας πιέσω. Σας ζητώ μια ευκαιρία ακόμη: έναν "
                "μήνα καθαρισμό δωρεάν, κάθε Δευτέρα στις 7 το πρωί, με την ίδια ομάδα κάθε "
                "φορά και φύλλο ελέγχου που θα υπογράφετε εσείς. Αν κάποια Δευτέρα δεν "
                "έρθουμε, θα το μάθετε από εμένα πριν ανοίξετε. Αν στο τέλος του μήνα δεν "
                "είστε ευχαριστημένη, δεν θα σας ενοχλήσω ξανά.\n\nΕλένη",
                "el",
            ),
            inbound(
                52.0,
                "Re: Μια ευκαιρία ακόμη",
                "Εντάξει, ας το δοκιμάσουμε για έναν μήνα. Αλλά στις 7 ακριβώς.",
                "el",
            ),
        ),
    ),
    DemoCase(
        "thessaloniki-books",
        ELE,
        "Καθυστέρηση στο ηλεκτρονικό βιβλιοπωλείο",
        "late_delivery",
        "high",
        "closed",
        "breach",
        119.0,
        outcome="lost",
        commitment_key="thess-shop",
        messages=(
            outbound(
                119.0,
                "Το ηλεκτρονικό κατάστημα δεν είναι έτοιμο",
                "Κυρία Γεωργίου,\n\nσας γράφω πριν μας ρωτήσετε: το ηλεκτρονικό κατάστημα που "
                "έπρεπε να σας παραδώσουμε χθες δεν είναι έτοιμο. Η σύνδεση με την τράπεζα για "
                "τις πληρωμές με κάρτα δεν έχει ολοκληρωθεί, γιατί δεν την ξεκινήσαμε εγκαίρως. "
                "Είναι δικό μας λάθος. Θα σας δώσω νέα ημερομηνία μέχρι την Παρασκευή.\n\n"
                "Ελένη Παπαδάκη",
                "el",
            ),
            inbound(
                118.0,
                "Re: Το ηλεκτρονικό κατάστημα δεν είναι έτοιμο",
                "Το χρειαζόμασταν τώρα, όχι σε έναν μήνα. Αυτές τις εβδομάδες κάνουμε τις μισές "
                "πωλήσεις της χρονιάς.",
                "el",
            ),
            inbound(
                90.0,
                "Κατάστημα",
                "Το κατάστημα λειτουργεί, ευχαριστώ. Όμως η περίοδος που το χρειαζόμασταν "
                "πέρασε. Δεν θα ανανεώσουμε τη συνεργασία.\n\nΑθηνά Γεωργίου",
                "el",
            ),
            outbound(
                89.0,
                "Re: Κατάστημα",
                "Κυρία Γεωργίου,\n\nτο καταλαβαίνω και λυπάμαι που σας απογοητεύσαμε όταν μας "
                "χρειαζόσασταν περισσότερο. Το κατάστημα είναι δικό σας: θα σας στείλω όλους "
                "τους κωδικούς και τις οδηγίες, ώστε να το συνεχίσετε με όποιον επιλέξετε. Αν "
                "θελήσετε ποτέ να ξαναμιλήσουμε, θα χαρώ πολύ.\n\nΕλένη",
                "el",
            ),
        ),
    ),
    # The owner tried in person, and it was not enough.
    DemoCase(
        "cornish-crafts",
        OWNER,
        "Catalogues not ready for the craft fair",
        "late_delivery",
        "high",
        "closed",
        "complaint",
        69.0,
        outcome="lost",
        commitment_key="cornish-catalogue",
        messages=(
            inbound(
                69.0,
                "Catalogues",
                "Olivia, the catalogues were due yesterday and nobody has told us anything. The "
                "craft fair is on Saturday and the catalogues are the whole point of our stand. "
                "What is going on?\n\nTom",
                "en",
            ),
            outbound(
                68.8,
                "Re: Catalogues",
                "Tom, we should have told you before you had to ask, and I'm sorry. We "
                "booked the print run too late and the catalogues won't be ready before "
                "Saturday. That is our failure. We'll print 300 copies locally by Friday at our "
                "cost so you have something on the stand, and the full run is free.\n\n"
                "Olivia Hartley",
                "en",
            ),
            inbound(
                58.0,
                "Re: Catalogues",
                "The full run turned up on Monday, two days after the fair. The 300 copies "
                "helped, thank you, but we've decided to move our printing to someone local. "
                "Please close the account.",
                "en",
            ),
            outbound(
                57.5,
                "Re: Catalogues",
                "Understood, Tom, and thank you for the years you gave us. I'll close the "
                "account this week and send you the print-ready files so the new printer can "
                "start straight away. If you ever want to talk again, you have my direct "
                "number.\n\nOlivia",
                "en",
            ),
        ),
    ),
)
