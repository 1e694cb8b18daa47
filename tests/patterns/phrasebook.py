"""Complaint phrases in English, Thai, Slovak and Greek for the synthetic corpus (data only).

``[a|b|c]`` picks one alternative, so one sentence can be written many ways; slots
are {product}, {order}, {date}, {amount}, {courier}, {days} and {years}. Lists of
words are "|"-separated strings to keep this file short.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, list[str]]] = {
    "en": {
        "greeting": [
            "[Hello|Hi|Hi there|Good morning|Good afternoon],",
            "[Dear customer service|Dear Sir or Madam|To whom it may concern],",
        ],
        "late_delivery": [
            "I [ordered|bought|purchased] [a|the] {product} on {date} [(order {order})|, order number {order},] and it [still hasn't arrived|has not turned up yet|was never delivered].",
            "My order {order} is [now|already] {days} days [late|overdue|behind schedule].",
            "The delivery of my {product} was [promised|guaranteed|confirmed] for {date} but [nothing came|nobody came|it never showed up].",
            "Where is my {product}? [Order|Parcel] {order} was [supposed|meant|due] to arrive on {date}.",
            "[I am still waiting|Still waiting|I keep waiting] for order {order}; the tracking [has not moved|hasn't changed|is stuck] since {date}.",
            "[Your website|The app|Your tracking page] says {order} was [dispatched|shipped|sent] on {date}, [yet|but] [nothing has arrived|I have received nothing].",
            "We [needed|wanted] the {product} [for a birthday|before the weekend|for work] and [it is still not here|it has not come].",
        ],
        "wrong_item": [
            "I received the wrong [item|product|thing]: I [ordered|paid for] a {product} and [got|received] something [else|different].",
            "Order {order} [came|arrived] with the wrong [size|model|colour|size and colour].",
            "You sent me a different [model|version|product] instead of the {product} I [paid for|ordered].",
            "The [box|parcel|package] for order {order} [contained|had] someone else's {product}.",
            "[Half of|Part of] order {order} is missing and the {product} [is the wrong one|is not what I chose].",
        ],
        "billing": [
            "You [charged|billed] me twice ({amount}) for order {order}.",
            "[This month's|My latest|The last] invoice [shows|says|lists] {amount}, which is not what we agreed.",
            "I was [billed|charged] {amount} for a {product} that I [returned|sent back] on {date}.",
            "My card was charged {amount} [although|even though] order {order} was cancelled.",
            "[The refund|My refund] of {amount} for order {order} [never arrived|has not come through|is still missing].",
        ],
        "missing_report": [
            "We still haven't received the [monthly|quarterly|weekly] report you promised.",
            "The [invoice|receipt|VAT invoice] for order {order} was never [emailed|sent] to me.",
            "The [service|repair|inspection] report for the {product} [repair|visit] on {date} is missing.",
            "You promised the [usage|account|monthly] statement by {date} and it never came.",
            "[Our accountant|My accountant|The finance team] is still waiting for the [invoice|documents|paperwork] for order {order}.",
        ],
        "rude_courier": [
            "The {courier} [courier|driver|delivery man] was [extremely|very|incredibly] rude and [threw the parcel over the fence|dropped the parcel on the pavement|tossed the box at the door].",
            "Your {courier} driver [shouted|yelled] at me and refused to bring the [box|parcel] upstairs.",
            "The {courier} [delivery man|driver|courier] left my {product} [in the rain|on the street|outside the gate] and [swore at|insulted] my [wife|husband|mother].",
            "The courier from {courier} marked order {order} as delivered but never [rang|knocked|came].",
            "The {courier} driver [laughed at me|was rude to me|ignored me] when I asked about order {order}.",
        ],
        "broken_product": [
            "The {product} arrived [broken|damaged|smashed] and [won't|does not|will not] turn on.",
            "My {product} stopped working after {days} days.",
            "The {product} from order {order} has a [cracked|scratched|broken] [screen|lid|panel].",
            "The {product} makes a [loud|strange|horrible] noise and smells of burning.",
            "When I opened the box the {product} [had no cable|had a broken handle|was missing a part].",
        ],
        "followup": [
            "This is the [second|third] time I am writing about this.",
            "Nobody answered my call on {date}.",
            "I have been your customer for {years} years.",
            "Your [chat agent|support agent|colleague on the phone] promised a call back and nobody called.",
            "I have already sent [photos|pictures] of the problem.",
            "I live on the [third|fifth|second] floor [and cannot carry heavy boxes|with no lift].",
            "I paid [by card|with PayPal|in advance].",
            "[I am very disappointed|I am really upset|This is unacceptable].",
        ],
        "request": [
            "Please refund me [in full|the whole amount|as soon as possible].",
            "I want a replacement [as soon as possible|this week|immediately].",
            "Please call me back [today|tomorrow morning|this afternoon].",
            "Let me know how you will fix this.",
            "I expect [compensation|a discount|a voucher] for this.",
            "Please [sort this out|resolve this|look into this] [quickly|urgently|today].",
            "[Otherwise|If not,] I will [cancel my account|leave a bad review|go to a competitor].",
        ],
        "closing": ["[Thanks|Thank you|Regards|Best wishes|Kind regards|Best|Sincerely],"],
        "first": [
            "James|Emma|Oliver|Sophie|Harry|Grace|Jack|Chloe|Tom|Amelia|George|Olivia|Noah|Isla|Leo|Mia|Oscar|Ava"
        ],
        "last": [
            "Smith|Taylor|Brown|Wilson|Evans|Walker|Wright|Hughes|Roberts|Green|Hall|Wood|Clarke|Jackson|Turner|Hill|Moore"
        ],
        "product": [
            "Samsung Galaxy A55|Dyson V11 vacuum|coffee machine|washing machine|Bosch fridge|Lenovo laptop|garden chair set|kettle|running shoes|baby stroller|air purifier|LG 55 inch TV|microwave|office chair|electric toothbrush|gaming headset"
        ],
        "courier": ["UPS|DHL|FedEx|Royal Mail|Evri|DPD|Yodel|Parcelforce"],
        "month": [
            "January|February|March|April|May|June|July|August|September|October|November|December"
        ],
        "amount": ["£{whole}.{cents}", "${whole}.{cents}", "GBP {whole}.{cents}"],
        "date": ["{d} {month}", "{month} {d}", "{d}/{m:02d}/2025"],
    },
    "th": {
        "greeting": ["[สวัสดีค่ะ|สวัสดีครับ|เรียนฝ่ายบริการลูกค้า|เรียนเจ้าหน้าที่]"],
        "late_delivery": [
            "[ฉัน|ผม|ดิฉัน][สั่งซื้อ|สั่ง|ซื้อ]{product}เมื่อวันที่ {date} [หมายเลขคำสั่งซื้อ|เลขที่ออเดอร์|ออเดอร์] {order} [แต่ยังไม่ได้รับสินค้าเลย|แต่จนถึงตอนนี้ยังไม่ได้รับ|แต่ของยังไม่มาส่ง]",
            "[พัสดุ|ออเดอร์|คำสั่งซื้อ] {order} [ล่าช้ามาก|ส่งช้ามาก|ช้ากว่ากำหนด] [ผ่านมา|เลยมา|รอมา] {days} วันแล้ว[ยังไม่ถึง|ยังไม่ได้รับ|ก็ยังไม่มา]",
            "{product}ที่[สั่งไว้|ซื้อไว้]วันที่ {date} [ยังไม่มาส่ง|ยังไม่ถึงมือ|ยังไม่ได้รับ] [ระบบแจ้งว่ากำลังจัดส่ง|สถานะขึ้นว่ากำลังจัดส่ง]มา[หนึ่งสัปดาห์|หลายวัน|สองอาทิตย์]แล้ว",
            "สินค้าของคำสั่งซื้อ {order} [ควรมาถึง|กำหนดส่ง|ต้องมาถึง]วันที่ {date} แต่[จนถึงตอนนี้|ป่านนี้|วันนี้]ยังไม่ได้รับ",
            "รอ{product}มา[นานมาก|หลายวัน|เป็นอาทิตย์] เลขพัสดุ[ไม่อัปเดต|ไม่ขยับ|ไม่เปลี่ยนสถานะ]ตั้งแต่วันที่ {date}",
            "[ในเว็บ|ในแอป]แจ้งว่าออเดอร์ {order} ส่งออกเมื่อวันที่ {date} แต่[ยังไม่ได้รับอะไรเลย|ของก็ยังไม่มา]",
            "[ต้องใช้|อยากได้]{product}[ก่อนวันเกิดลูก|ก่อนสุดสัปดาห์|สำหรับทำงาน] แต่[ตอนนี้ก็ยังไม่มา|ก็ยังไม่ได้รับเลย]",
        ],
        "wrong_item": [
            "ได้รับสินค้า[ผิดรุ่น|ผิดแบบ|ไม่ตรงปก] สั่ง{product}แต่ได้[ของอย่างอื่น|สินค้าอื่น]มาแทน",
            "[คำสั่งซื้อ|ออเดอร์] {order} ส่งสินค้ามาผิด[ทั้งขนาดและสี|ขนาด|สี|รุ่น]",
            "ของที่ได้รับไม่ใช่{product}ที่[จ่ายเงินไป|สั่งไว้|เลือกไว้]",
            "ในกล่องของ[คำสั่งซื้อ|ออเดอร์] {order} เป็น{product}ของ[คนอื่น|ลูกค้าท่านอื่น]",
            "[ของในออเดอร์|สินค้าในคำสั่งซื้อ] {order} [ขาดไปหนึ่งชิ้น|ได้ไม่ครบ] และ{product}[ก็ผิดรุ่น|ไม่ใช่แบบที่เลือก]",
        ],
        "billing": [
            "ถูก[เรียกเก็บเงิน|ตัดเงิน|หักเงิน]ซ้ำสองครั้ง {amount} [สำหรับ|ของ]คำสั่งซื้อ {order}",
            "ใบแจ้งหนี้[เดือนนี้|ล่าสุด|รอบนี้]มียอด {amount} ซึ่ง[ไม่ตรงกับที่ตกลงกันไว้|ไม่ถูกต้อง|สูงผิดปกติ]",
            "ถูกหักเงิน {amount} ค่า{product}ที่[ส่งคืนไปแล้ว|คืนสินค้าไปแล้ว]เมื่อวันที่ {date}",
            "บัตรเครดิตถูกตัดเงิน {amount} [ทั้งที่|ทั้งๆที่]ยกเลิกคำสั่งซื้อ {order} ไปแล้ว",
            "[เงินคืน|ยอดคืนเงิน] {amount} ของคำสั่งซื้อ {order} [ยังไม่เข้าบัญชี|ยังไม่ได้รับ|หายไปไหน]",
        ],
        "missing_report": [
            "ยังไม่ได้รับรายงาน[ประจำเดือน|ประจำไตรมาส|ประจำสัปดาห์]ตามที่[สัญญาไว้|ตกลงกันไว้]",
            "ใบ[กำกับภาษี|เสร็จ|แจ้งหนี้]สำหรับคำสั่งซื้อ {order} ยังไม่ได้ส่งมาทาง[อีเมล|ไลน์]",
            "รายงาน[การซ่อม|การตรวจเช็ก]{product}เมื่อวันที่ {date} [ยังไม่ได้รับ|ยังไม่ส่งมา]",
            "สัญญาว่าจะส่ง[ใบแจ้งยอด|สรุปยอด|รายงาน]ภายในวันที่ {date} แต่[ก็ไม่ได้ส่งมา|ก็เงียบ]",
            "[ฝ่ายบัญชี|นักบัญชีของบริษัท]ยังรอเอกสารของคำสั่งซื้อ {order} อยู่",
        ],
        "rude_courier": [
            "พนักงานส่งของจาก {courier} [พูดจาไม่สุภาพ|พูดจาหยาบคาย|ไม่มีมารยาท]และ[โยน|ทิ้ง]กล่องไว้หน้าบ้าน",
            "คนส่งของ {courier} [ไม่ยอมขึ้นมาส่งที่ห้อง|ไม่ยอมเดินมาส่ง]และ[ตะคอกใส่|ขึ้นเสียงใส่]ฉัน",
            "พนักงาน {courier} ทิ้ง{product}ไว้[กลางฝน|ริมถนน|หน้าประตูรั้ว]แล้วยัง[ด่า|ต่อว่า][ภรรยา|สามี|แม่]ฉัน",
            "[ไรเดอร์|พนักงาน] {courier} กดว่าส่งคำสั่งซื้อ {order} แล้วแต่[ไม่เคยมากดกริ่ง|ไม่เคยโทรมา|ไม่เคยมา]",
            "พนักงาน {courier} [หัวเราะใส่|ไม่สนใจ|ตอบห้วนๆ]เมื่อถามเรื่องคำสั่งซื้อ {order}",
        ],
        "broken_product": [
            "{product}ที่ได้รับมา[เสียหาย|แตก|บุบ] [กล่องบุบและเปิดไม่ติด|และใช้งานไม่ได้|เปิดไม่ติดเลย]",
            "เพิ่งใช้{product}ได้ {days} วันก็[พัง|เสีย|ใช้ไม่ได้]แล้ว",
            "{product}จากคำสั่งซื้อ {order} [หน้าจอแตก|ฝาแตก|มีรอยร้าว]",
            "{product}มีเสียง[ดัง|แปลกๆ]และมีกลิ่น[ไหม้|เหม็นไหม้]",
            "[ชิ้นส่วน|สายไฟ|ที่จับ]ของ{product}[หายไป|หัก|หลวม]ตั้งแต่เปิดกล่อง",
        ],
        "followup": [
            "นี่เป็นครั้งที่[สอง|สาม]ที่[เขียนมา|ติดต่อมา]เรื่องนี้",
            "โทรไปเมื่อวันที่ {date} ก็ไม่มีใครรับสาย",
            "เป็นลูกค้ามา {years} ปีแล้ว",
            "[แอดมินในแชท|พนักงานคอลเซ็นเตอร์]บอกว่าจะโทรกลับแต่ก็เงียบ",
            "ส่ง[รูป|ภาพถ่าย]ปัญหาไปให้แล้ว",
            "[อยู่ชั้นสาม|อยู่ชั้นห้า]และ[ไม่มีลิฟต์|ยกของหนักไม่ไหว]",
            "จ่ายเงิน[ด้วยบัตรเครดิต|ผ่านพร้อมเพย์|ล่วงหน้าแล้ว]",
            "[ผิดหวังมาก|ไม่พอใจมาก|รับไม่ได้จริงๆ]",
        ],
        "request": [
            "[ช่วยตรวจสอบให้ด้วย|รบกวนตรวจสอบให้ด้วย][ค่ะ|ครับ]",
            "ต้องการ[คืนเงินเต็มจำนวน|ขอเงินคืน|คืนเงินโดยเร็ว]",
            "กรุณาส่งสินค้าใหม่ให้[ภายในสัปดาห์นี้|โดยเร็ว|ทันที]",
            "ช่วยติดต่อกลับ[โดยเร็วที่สุด|ภายในวันนี้|พรุ่งนี้เช้า][ค่ะ|ครับ]",
            "ขอ[ค่าชดเชย|ส่วนลด|คูปอง]สำหรับ[ความเสียหายนี้|เรื่องนี้]",
            "[ไม่อย่างนั้น|ถ้าไม่แก้ไข]จะ[ยกเลิกบัญชี|รีวิวให้คะแนนต่ำ|ไปใช้เจ้าอื่น]",
        ],
        "closing": ["[ขอบคุณค่ะ|ขอบคุณครับ|ขอแสดงความนับถือ|ขอบคุณล่วงหน้า]"],
        "first": [
            "สมชาย|สุดารัตน์|วิชัย|นภา|ประเสริฐ|กาญจนา|อนุชา|พิมพ์ชนก|ธนากร|ศิริพร|ณัฐวุฒิ|วราภรณ์|กิตติพงษ์|อรุณี|ปิยะ|จันทร์เพ็ญ"
        ],
        "last": [
            "ใจดี|ศรีสุข|วงศ์สวัสดิ์|แก้วมณี|บุญมา|ทองดี|สุขสวัสดิ์|รัตนพันธ์|ประเสริฐสุข|จันทร์หอม|ศักดิ์ดี|พรหมมา|มีสุข|นาคสวัสดิ์"
        ],
        "product": [
            "หูฟังบลูทูธ|พัดลมตั้งพื้น|หม้อหุงข้าว|เครื่องฟอกอากาศ|โทรศัพท์ Samsung Galaxy A55|ตู้เย็น Hitachi|ทีวี LG 55 นิ้ว|เครื่องซักผ้า Electrolux|กระเป๋าเดินทาง|รองเท้าวิ่ง Nike|เครื่องชงกาแฟ|รถเข็นเด็ก|ไมโครเวฟ|เก้าอี้สำนักงาน|แปรงสีฟันไฟฟ้า|หม้อทอดไร้น้ำมัน"
        ],
        "courier": [
            "Kerry Express|Flash Express|ไปรษณีย์ไทย|J&T Express|Lalamove|Shopee Express|Ninja Van"
        ],
        "month": [
            "มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|พฤศจิกายน|ธันวาคม"
        ],
        "amount": ["{whole} บาท", "฿{whole}", "{whole}.{cents} บาท"],
        "date": ["{d} {month}", "{d}/{m}/2568", "{d} {month} 2568"],
    },
    "sk": {
        "greeting": [
            "[Dobrý deň|Zdravím|Dobrý večer|Ahojte],",
            "[Vážená zákaznícka podpora|Vážení],",
        ],
        "late_delivery": [
            "[Objednal som si|Kúpil som si|Objednala som si] {product} dňa {date} (objednávka {order}) a [stále som ho nedostal|doteraz neprišiel|ešte nedorazil].",
            "Moja objednávka {order} [mešká už {days} dní|má už {days} dní meškanie|je už {days} dní po termíne].",
            "Zásielka s tovarom {product} mala [prísť|byť doručená|doraziť] {date}, ale [doteraz neprišla|stále tu nie je|nikto ju nepriniesol].",
            "Kde je môj [tovar|balík]? Objednávka {order} mala byť doručená {date}.",
            "[Stále čakám|Ešte stále čakám|Čakám] na objednávku {order}, sledovanie [sa nepohlo|stojí|sa nezmenilo] od {date}.",
            "[Na vašom webe|V aplikácii] píše, že {order} bola odoslaná {date}, [no|ale] [nič neprišlo|nič som nedostal].",
            "Tovar {product} sme [potrebovali|chceli] [na narodeniny|pred víkendom|do práce] a [stále tu nie je|ešte neprišiel].",
        ],
        "wrong_item": [
            "Dostal som [nesprávny|zlý|iný] tovar: objednal som {product} a prišlo niečo [iné|úplne iné].",
            "V objednávke {order} ste mi poslali zlú [veľkosť|farbu|veľkosť aj farbu|verziu].",
            "Namiesto tovaru {product}, ktorý som [zaplatil|objednal], prišiel iný model.",
            "V [balíku|zásielke] s objednávkou {order} bol tovar {product} pre iného zákazníka.",
            "[Polovica|Časť] objednávky {order} chýba a tovar {product} [nie je ten, ktorý som vybral|je nesprávny].",
        ],
        "billing": [
            "[Strhli|Stiahli] ste mi z účtu dvakrát sumu {amount} za objednávku {order}.",
            "[Faktúra za tento mesiac|Posledná faktúra] [uvádza|ukazuje] {amount}, čo nie je [správne|to, na čom sme sa dohodli].",
            "[Zaúčtovali|Naúčtovali] ste mi {amount} za tovar {product}, ktorý som vrátil {date}.",
            "Z karty mi [odišlo|strhli] {amount}, hoci objednávka {order} bola zrušená.",
            "Vrátenie peňazí ({amount}) za objednávku {order} [stále neprišlo|sa niekde stratilo].",
        ],
        "missing_report": [
            "[Mesačný|Štvrťročný|Týždenný] report, na ktorom sme sa dohodli, nám stále neprišiel.",
            "Nedostal som [faktúru|doklad|daňový doklad] k objednávke {order}.",
            "Chýba [servisný protokol|protokol z opravy] k tovaru {product} zo dňa {date}.",
            "Sľúbili ste [výpis spotreby|vyúčtovanie|výpis z účtu] do {date} a nikdy sme ho nedostali.",
            "[Naša účtovníčka|Náš účtovník] stále čaká na doklady k objednávke {order}.",
        ],
        "rude_courier": [
            "Kuriér spoločnosti {courier} bol [veľmi|mimoriadne|strašne] nepríjemný a balík [hodil cez plot|nechal pred bránou|hodil na zem].",
            "Doručovateľ z {courier} na mňa [kričal|vrieskal] a odmietol vyniesť balík na poschodie.",
            "Kuriér {courier} nechal tovar {product} [na daždi|na ulici|pred bránou] a ešte nadával mojej [manželke|mame].",
            "Kuriér {courier} označil objednávku {order} ako doručenú, ale [vôbec nezvonil|nikdy neprišiel|ani nezavolal].",
            "Kuriér {courier} sa mi [vysmial|ani neodpovedal|drzo odvrkol], keď som sa pýtal na objednávku {order}.",
        ],
        "broken_product": [
            "Tovar {product} prišiel [poškodený|rozbitý|pokazený] a nedá sa zapnúť.",
            "Tovar {product} sa po {days} dňoch pokazil.",
            "Tovar {product} z objednávky {order} má [prasknutý|poškriabaný|rozbitý] [displej|kryt|panel].",
            "Tovar {product} [hrozne|hlasno|divne] hučí a cítiť z neho spáleninu.",
            "Pri otvorení balíka s tovarom {product} [chýbal kábel|bola zlomená rukoväť|chýbala jedna časť].",
        ],
        "followup": [
            "Píšem vám už [druhýkrát|tretíkrát].",
            "Dňa {date} mi nikto nezdvihol telefón.",
            "Som váš zákazník už {years} rokov.",
            "[Operátor na chate|Kolega na linke] sľúbil spätné volanie, ale nikto nevolal.",
            "[Fotky|Fotografie] problému som už poslal.",
            "Bývam na [treťom|piatom|druhom] poschodí [bez výťahu|a ťažké veci neunesiem].",
            "Zaplatil som [kartou|vopred|cez PayPal].",
            "[Som veľmi sklamaný|To je neprijateľné|Som naozaj nahnevaný].",
        ],
        "request": [
            "Prosím o vrátenie peňazí[| v plnej výške| čo najskôr].",
            "Žiadam o výmenu [čo najskôr|ešte tento týždeň|okamžite].",
            "Prosím, ozvite sa mi [ešte dnes|zajtra ráno|čo najskôr].",
            "Dajte mi prosím vedieť, ako to vyriešite.",
            "Očakávam za to [odškodnenie|zľavu|poukážku].",
            "Prosím, [vyriešte to|pozrite sa na to] [rýchlo|urgentne|ešte dnes].",
            "[Inak|Ak nie,] [zruším účet|napíšem zlú recenziu|odídem ku konkurencii].",
        ],
        "closing": ["[Ďakujem|S pozdravom|Pekný deň|S úctou|Ďakujem za pochopenie],"],
        "first": [
            "Ján|Mária|Peter|Zuzana|Martin|Katarína|Jozef|Lucia|Michal|Eva|Tomáš|Jana|Marek|Veronika|Lukáš|Monika|Juraj"
        ],
        "last": [
            "Novák|Horváth|Kováč|Varga|Tóth|Baláž|Szabó|Molnár|Krajčí|Lukáč|Polák|Hudák|Kollár|Nemec|Šimko|Gajdoš"
        ],
        "product": [
            "kávovar DeLonghi Magnifica|práčka Whirlpool|mobil Samsung Galaxy A55|vysávač Dyson V11|televízor Philips 50 palcov|chladnička Gorenje|notebook Lenovo IdeaPad|detský kočík|čistička vzduchu|bežecké topánky|záhradný nábytok|rýchlovarná kanvica|mikrovlnka|kancelárska stolička|elektrická zubná kefka|fritéza na horúci vzduch"
        ],
        "courier": ["SPS|Packeta|DPD|GLS|Slovenská pošta|DHL|Balíkobox"],
        "month": [
            "januára|februára|marca|apríla|mája|júna|júla|augusta|septembra|októbra|novembra|decembra"
        ],
        "amount": ["{whole},{cents} €", "{whole} eur", "€{whole}.{cents}"],
        "date": ["{d}. {month}", "{d}.{m}.2025", "{d}. {m}."],
    },
    "el": {
        "greeting": [
            "[Καλημέρα σας|Γεια σας|Καλησπέρα|Χαίρετε],",
            "[Αγαπητή εξυπηρέτηση πελατών|Αξιότιμοι κύριοι],",
        ],
        "late_delivery": [
            "[Παρήγγειλα|Αγόρασα] {product} στις {date} (παραγγελία {order}) και [ακόμα δεν το έχω παραλάβει|δεν έχει έρθει ακόμα|δεν έχει φτάσει].",
            "Η παραγγελία μου {order} [καθυστερεί ήδη|έχει ήδη καθυστέρηση] {days} [μέρες|ημέρες].",
            "Δεν λάβαμε ακόμα το {product}, [παρόλο που|αν και] υποσχεθήκατε παράδοση στις {date}.",
            "Πού είναι το {product}; Η παραγγελία {order} [έπρεπε να φτάσει|ήταν να έρθει] στις {date}.",
            "[Περιμένω ακόμα|Ακόμα περιμένω] την παραγγελία {order}, η αποστολή [δεν έχει κουνηθεί|έχει κολλήσει] από τις {date}.",
            "[Στο site σας|Στην εφαρμογή] γράφει ότι η {order} [στάλθηκε|απεστάλη] στις {date}, αλλά [δεν ήρθε τίποτα|δεν έχω λάβει τίποτα].",
            "Χρειαζόμασταν το {product} [για γενέθλια|πριν το Σαββατοκύριακο|για τη δουλειά] και [ακόμα δεν ήρθε|δεν έχει έρθει].",
        ],
        "wrong_item": [
            "Λάβαμε [λάθος προϊόν|λάθος είδος]: παρήγγειλα {product} και ήρθε κάτι [άλλο|εντελώς διαφορετικό].",
            "Στην παραγγελία {order} μου στείλατε λάθος [μέγεθος|χρώμα|μέγεθος και χρώμα|μοντέλο].",
            "Αντί για το {product} που [πλήρωσα|παρήγγειλα], ήρθε άλλο μοντέλο.",
            "Το [δέμα|κουτί] της παραγγελίας {order} είχε το {product} άλλου πελάτη.",
            "[Λείπει το μισό|Λείπει ένα κομμάτι] από την παραγγελία {order} και το {product} [είναι λάθος|δεν είναι αυτό που διάλεξα].",
        ],
        "billing": [
            "Με [χρεώσατε|χρέωσαν] δύο φορές {amount} για την παραγγελία {order}.",
            "Το [τιμολόγιο αυτού του μήνα|τελευταίο τιμολόγιο] γράφει {amount}, που δεν είναι [σωστό|αυτό που συμφωνήσαμε].",
            "Χρεώθηκα {amount} για το {product} που [επέστρεψα|έστειλα πίσω] στις {date}.",
            "Η κάρτα μου χρεώθηκε {amount} [αν και|παρόλο που] η παραγγελία {order} ακυρώθηκε.",
            "Η επιστροφή χρημάτων ({amount}) για την παραγγελία {order} [δεν ήρθε ποτέ|δεν έχει γίνει ακόμα].",
        ],
        "missing_report": [
            "Δεν έχουμε λάβει ακόμα τη [μηνιαία|τριμηνιαία|εβδομαδιαία] αναφορά που συμφωνήσαμε.",
            "Το [τιμολόγιο|παραστατικό] για την παραγγελία {order} δεν στάλθηκε ποτέ στο email μου.",
            "Λείπει η αναφορά [επισκευής|ελέγχου] για το {product} από τις {date}.",
            "Υποσχεθήκατε την [κατάσταση κατανάλωσης|κατάσταση λογαριασμού] έως τις {date} και δεν ήρθε ποτέ.",
            "[Ο λογιστής μας|Το λογιστήριο] περιμένει ακόμα τα παραστατικά της παραγγελίας {order}.",
        ],
        "rude_courier": [
            "Ο κούριερ της {courier} ήταν [πολύ|εξαιρετικά|απίστευτα] αγενής και [πέταξε το δέμα πάνω από τον φράχτη|άφησε το δέμα στο πεζοδρόμιο|πέταξε το κουτί στην πόρτα].",
            "Ο διανομέας της {courier} [φώναζε|ούρλιαζε] και αρνήθηκε να ανεβάσει το κουτί στον όροφο.",
            "Ο κούριερ της {courier} άφησε το {product} [στη βροχή|στον δρόμο|έξω από την αυλόπορτα] και έβρισε τη [γυναίκα|μητέρα] μου.",
            "Ο διανομέας της {courier} δήλωσε την παραγγελία {order} παραδομένη χωρίς να [χτυπήσει|έρθει|τηλεφωνήσει].",
            "Ο διανομέας της {courier} [με κορόιδεψε|μου μίλησε απαξιωτικά|με αγνόησε] όταν ρώτησα για την παραγγελία {order}.",
        ],
        "broken_product": [
            "Το {product} έφτασε [σπασμένο|χαλασμένο|κατεστραμμένο] και δεν [ανάβει|λειτουργεί].",
            "Το {product} χάλασε μετά από {days} μέρες χρήσης.",
            "Το {product} της παραγγελίας {order} έχει [ραγισμένη|γρατζουνισμένη|σπασμένη] [οθόνη|επιφάνεια].",
            "Το {product} κάνει [δυνατό|περίεργο|απαίσιο] θόρυβο και μυρίζει καμένο.",
            "Όταν άνοιξα το κουτί, το {product} [δεν είχε καλώδιο|είχε σπασμένη λαβή|είχε ένα κομμάτι λιγότερο].",
        ],
        "followup": [
            "Σας γράφω για [δεύτερη|τρίτη] φορά.",
            "Στις {date} κανείς δεν σήκωσε το τηλέφωνο.",
            "Είμαι πελάτης σας εδώ και {years} χρόνια.",
            "Ο [εκπρόσωπος στο chat|υπάλληλος στο τηλέφωνο] υποσχέθηκε να με καλέσει και κανείς δεν πήρε.",
            "Έχω ήδη στείλει [φωτογραφίες|εικόνες] του προβλήματος.",
            "Μένω στον [τρίτο|πέμπτο|δεύτερο] όροφο [χωρίς ασανσέρ|και δεν μπορώ να κουβαλήσω βαριά].",
            "Πλήρωσα [με κάρτα|με PayPal|προκαταβολικά].",
            "[Είμαι πολύ απογοητευμένη|Είναι απαράδεκτο|Είμαι πραγματικά θυμωμένος].",
        ],
        "request": [
            "Παρακαλώ επιστρέψτε μου τα χρήματα[| άμεσα| στο ακέραιο].",
            "Θέλω αντικατάσταση [το συντομότερο|μέσα στην εβδομάδα|αμέσως].",
            "Περιμένω την απάντησή σας [σήμερα|αύριο το πρωί|άμεσα].",
            "Παρακαλώ ενημερώστε με πώς θα το λύσετε.",
            "Ζητώ [αποζημίωση|έκπτωση|κουπόνι] για αυτό.",
            "Παρακαλώ [λύστε το|κοιτάξτε το] [γρήγορα|επειγόντως|σήμερα].",
            "[Αλλιώς|Διαφορετικά] θα [κλείσω τον λογαριασμό μου|γράψω κακή κριτική|πάω σε άλλη εταιρεία].",
        ],
        "closing": ["[Ευχαριστώ|Με εκτίμηση|Φιλικά|Με τιμή|Ευχαριστώ πολύ],"],
        "first": [
            "Γιώργος|Μαρία|Νίκος|Ελένη|Κώστας|Σοφία|Δημήτρης|Αικατερίνη|Γιάννης|Βασιλική|Παναγιώτης|Αναστασία|Χρήστος|Δέσποινα|Αντώνης"
        ],
        "last": [
            "Παπαδόπουλος|Κωνσταντίνου|Γεωργίου|Δημητρίου|Αλεξίου|Νικολάου|Ιωάννου|Παπαδάκης|Βασιλείου|Οικονόμου|Μακρής|Αθανασίου|Πετρίδης"
        ],
        "product": [
            "κλιματιστικό Inventor|πλυντήριο Pitsos|καφετιέρα Nespresso|κινητό Xiaomi Redmi Note 13|ψυγείο Bosch|σκούπα Dyson V11|τηλεόραση Philips 50 ιντσών|ποδήλατο γυμναστικής|καρότσι μωρού|καθαριστήρα αέρα|αθλητικά παπούτσια|βραστήρα νερού|φούρνο μικροκυμάτων|καρέκλα γραφείου|ηλεκτρική οδοντόβουρτσα|φριτέζα αέρος"
        ],
        "courier": [
            "ACS|ΕΛΤΑ Courier|Γενική Ταχυδρομική|Speedex|BoxNow|Skroutz Last Mile|Courier Center"
        ],
        "month": [
            "Ιανουαρίου|Φεβρουαρίου|Μαρτίου|Απριλίου|Μαΐου|Ιουνίου|Ιουλίου|Αυγούστου|Σεπτεμβρίου|Οκτωβρίου|Νοεμβρίου|Δεκεμβρίου"
        ],
        "amount": ["{whole},{cents} €", "{whole} ευρώ", "€{whole}.{cents}"],
        "date": ["{d} {month}", "{d}/{m}/2025", "{d} {month} 2025"],
    },
}
