"""What each finding looks like, per language, as patterns over folded text (pure data).

Patterns are written against folded text (see fold.py): lower case, Greek without
accents and with σ for final sigma, Slovak without diacritics. They describe how
people phrase blame, excuses and half-apologies, not particular sentences; stems carry
Slovak and Greek inflection. Thai has no spaces, so its patterns are plain substrings.
"""

from __future__ import annotations

# The nine codes, in the order findings are reported.
PRESENCE = (
    "blame-customer",
    "blame-staff",
    "blame-third-party",
    "excuse",
    "conditional-apology",
    "minimizing",
)
ELEMENTS = ("ownership", "remedy", "prevention")

W = r"[^.!?;\n]"  # within one sentence

EN: dict[str, tuple[str, ...]] = {
    "blame-customer": (
        rf"\b(?:because|since|as) (?:you|your(?: team)?)\b{W}{{0,60}}\b(?:late|didn'?t|did not|"
        r"forgot|failed|wrong|missing|incomplete|incorrect|never)\b",
        r"\bwe (?:were|are) (?:still )?waiting (?:for|on) (?:you|your)\b",
        r"\byour (?:payment|content|details|information|address|files?|approval|order|"
        r"instructions|reply) (?:was|were|came|arrived) (?:late|incomplete|wrong|incorrect|"
        r"missing)\b",
        r"\b(?:you|your team) (?:didn'?t|did not|failed to|forgot to|never) (?:send|provide|"
        r"pay|tell|confirm|approve|reply|give|let)\b",
        r"\bif you had\b",
        r"\byou should have\b",
        r"\bas (?:you were|previously) (?:told|informed|advised)\b",
        r"\b(?:as|since|because) we (?:never|did not|didn'?t) (?:receive|get|hear)\w*\b",
        r"\bon your (?:side|end)\b",
    ),
    "blame-staff": (
        rf"\b(?:our|the|a|one of our) (?:new |junior |temporary |young )?(?:warehouse |delivery "
        rf"|support |sales |night )?(?:guy|girl|lad|colleague|employee|intern|staff member|"
        rf"technician|driver|agent|team member|temp|packer|fitter|engineer|trainee|"
        rf"apprentice)s?\b{W}{{0,45}}"
        r"\b(?:mixed up|made (?:a|an) (?:mistake|error)|forgot|messed up|got (?:it|this|the"
        r" \w+) wrong|was new|is new|didn'?t|did not|misread|packed the wrong|sent the wrong)\b",
        r"\bhuman error (?:by|on the part of|from) (?:a|one|our)\b",
        r"\b(?:he|she) (?:was|is) (?:new|still new|in training)\b",
        r"\b(?:he|she)(?:'s| is) still (?:new|learning|in training)\b",
        r"\b(?:a|one) (?:new )?(?:colleague|employee|staff member) (?:of ours )?(?:made|caused)\b",
    ),
    "blame-third-party": (
        rf"\b(?:the |our )?(?:courier|carrier|shipping company|delivery company|delivery "
        rf"partner|post office|postal service|supplier|manufacturer|vendor|payment provider|"
        rf"payment processor|bank|dhl|ups|fedex|royal mail|usps|logistics partner|"
        rf"subcontractor|printer|factory)\b{W}{{0,50}}\b(?:delay(?:ed)?|lost|late|mistake|"
        r"error|failed|fault|problem|issue|mixed up|damaged|did not|didn'?t|missed)\b",
        r"\b(?:due to|because of|caused by) (?:the |our |a )?(?:courier|carrier|supplier|"
        r"manufacturer|payment provider|bank|partner|post office|subcontractor)\b",
        r"\b(?:the )?(?:courier|supplier|bank|carrier|manufacturer)'?s (?:fault|mistake|error|"
        r"delay)\b",
    ),
    "excuse": (
        r"\bdue to (?:the )?(?:high|heavy|unusual|unprecedented|increased|huge) (?:volumes?|"
        r"demand|number of (?:orders|requests))\b",
        r"\b(?:beyond|outside(?: of)?) our control\b",
        r"\bthese things (?:happen|can happen)\b",
        r"\b(?:unforeseen|unexpected|exceptional) circumstances\b",
        r"\b(?:very |extremely )?(?:busy|hectic) (?:period|season|time|week|month)\b",
        r"\b(?:a |an )?(?:system|technical|it) (?:issue|glitch|outage|problem|error)s?\b",
        r"\b(?:staff|staffing) shortages?\b",
        r"\bdue to (?:the )?(?:holidays?|weather|covid|pandemic|strikes?|sickness|illness)\b",
        r"\b(?:mistakes|errors|delays) (?:happen|can happen|are inevitable)\b",
        r"\bit happens\b",
    ),
    "conditional-apology": (
        r"\b(?:sorry|apologi[sz]e|apologies|regret) if\b",
        r"\bsorry (?:that )?you (?:feel|felt|think|thought|were upset|are upset|see it|found)\b",
        r"\bfor any (?:inconvenience|trouble|frustration)(?: (?:this|that|it))? (?:may|might) "
        r"have caused\b",
        r"\bif (?:this|that|we|it) (?:caused|has caused|have caused) (?:you )?(?:any )?"
        r"(?:inconvenience|trouble|frustration|upset)\b",
        r"\bsorry for any (?:inconvenience|trouble|confusion)\b",
        r"\bto the extent that\b",
    ),
    "minimizing": (
        r"\b(?:only|just|merely) (?:a |an )?(?:small|slight|minor|little|short|tiny|brief)\b",
        r"\b(?:only|just) (?:a )?(?:couple of|few|one or two) (?:days|hours|minutes|weeks)\b",
        r"\bnot (?:a|that) big (?:of a )?deal\b",
        r"\b(?:a )?(?:minor|small|slight|little|tiny) (?:delay|issue|hiccup|mix-up|mixup|"
        r"oversight|glitch|slip)\b",
        r"\bnothing (?:serious|major|to worry about)\b",
    ),
    "ownership": (
        rf"\b(?:we|i)\b{W}{{0,25}}\b(?:made (?:a|an) (?:mistake|error)|got (?:it|this|that|"
        rf"your \w+) wrong|dropped the ball|messed up|let you down|failed you|failed to|are "
        r"(?:fully |entirely )?responsible|am (?:fully )?responsible|take (?:full |complete )?"
        r"responsibility|should have|forgot|overlooked|neglected|did not (?:deliver|send|do|"
        r"keep|check|start|queue)|"
        r"didn'?t (?:deliver|send|do|keep|check|start)|broke (?:our|my) promise|missed)\b",
        r"\b(?:our|my) (?:mistake|fault|error|failure|responsibility|doing)\b",
        r"\bthat'?s on (?:us|me)\b",
        r"\bwe (?:were|are) (?:wrong|at fault|to blame)\b",
        r"\bno excuses\b",
        r"\bthe (?:mistake|fault|error) (?:is|was) (?:ours|mine)\b",
    ),
    "remedy": (
        r"\b(?:refund(?:ed|ing)?|replace(?:d|ment)?|re-?sen[dt]|resending|credit(?:ed)?|"
        r"fix(?:ed)?|repair(?:ed)?|correct(?:ed)?|reimburs\w*|compensat\w*|free of charge|"
        r"on (?:its|their|the) way|dispatch(?:ed)?|reschedul\w*|put (?:it|this|that|things) "
        r"right|sorted (?:it|this) out|waiv(?:e|ed)|discount|voucher|gift)\b",
        r"\b(?:will|'ll|are going to|have) (?:now )?(?:send|deliver|call|fix|replace|refund|"
        r"arrange|bring|install|redo|come|visit|ship)\b",
        r"\b(?:new|replacement) \w+ (?:goes|is going|will go|went) out\b",
        r"\b(?:will be (?:with you|there|back)|shipped|rebooked|is back (?:up|online)|"
        r"paid for)\b",
        r"\b(?:we are|we're|i am|i'm) (?:now )?(?:sending|delivering|refunding|replacing|"
        r"fixing|arranging|crediting|calling|bringing|redoing|reissuing|repairing)\b",
    ),
    "prevention": (
        r"\b(?:from now on|going forward|in (?:the )?future|from today|starting today|"
        r"from this (?:week|month) on)\b",
        r"\bso (?:that )?(?:it|this|that) (?:won'?t|will not|doesn'?t|does not|never|can'?t|"
        r"cannot) (?:happen|occur) again\b",
        r"\bwe (?:now|will now) (?:text|send|call|check|confirm|review|test)\b",
        r"\bfrom (?:january|february|march|april|may|june|july|august|september|october|"
        r"november|december|next (?:week|month))\b",
        r"\b(?:we|we've|we have) (?:also )?(?:changed|added|introduced|put in place|set up|"
        r"created|started|"
        r"brought in|hired|assigned|moved)\b",
        r"\b(?:new|extra|second|additional) (?:check|step|process|procedure|review|rule|"
        r"reminder|control)\b",
        r"\b(?:named|dedicated|single) (?:contact|account manager|person)\b",
        r"\bwill (?:now |always )?(?:check|verify|confirm|double-check|test|review) (?:every|"
        r"each|all)\b",
        r"\bevery (?:order|report|delivery|invoice|update|job|change) (?:is|will be|now gets?) "
        r"(?:checked|verified|tested|reviewed)\b",
    ),
}

SK: dict[str, tuple[str, ...]] = {
    "blame-customer": (
        r"\b(?:cakali|cakame|cakal|cakala) sme (?:este )?(?:stale )?na (?:vas|vase|vasu|vasho|"
        r"vasej|podklady|platbu|odpoved)\b",
        rf"\b(?:kedze|pretoze|lebo) ste\b{W}{{0,40}}\b(?:neposlali|nezaplatili|nedodali|"
        r"neodpovedali|zabudli|neuviedli|neschvalili|nepotvrdili|oneskor)\w*",
        r"\b(?:vasa|vase|vas|vasu) (?:platba|podklady|objednavka|udaje|adresa|schvalenie|"
        r"odpoved) (?:prisla|prisli|bola|boli|prislo) (?:neskoro|neuplne|nespravne|az)\b",
        r"\bmali ste (?:nam )?\w+\b",
        r"\bkeby ste\b",
        r"\b(?:vasou|vasej) (?:chybou|vinou|strane)\b",
        r"\bz vasej strany\b",
        r"\b(?:neposlali|nezaplatili|nedodali|neschvalili|nepotvrdili) ste\b",
        r"\bste (?:nam )?(?:poslali|zaplatili|dodali|potvrdili|schvalili) (?:az|neskoro|"
        r"oneskorene)\b",
    ),
    "blame-staff": (
        rf"\b(?:novy|nova|nas|nasa|jeden z nasich|jedna z nasich|mlady|mlada)\s+(?:kolega|"
        rf"kolegyna|zamestnan\w*|technik|skladnik|kurier|brigadni\w*|pracovni\w*|vodic|"
        rf"montaznik|predajc\w*)\b{W}{{0,45}}\b(?:pomylil|pomylila|zabudol|zabudla|urobil "
        r"chybu|urobila chybu|zmiesal|zamenil|poplietol|poplietla|bol novy|bola nova|nedal|"
        r"nedala)\b",
        r"\b(?:kolega|kolegyna|technik|skladnik|brigadnik|vodic|montaznik) (?:sa )?(?:pomylil|"
        r"pomylila|zabudol|zabudla|poplietol|poplietla|zamenil)\b",
        r"\b(?:bol|bola) (?:este )?(?:novy|nova|v zauceni)\b",
        r"\beste sa uci\b",
        r"\bludska chyba (?:kolegu|kolegyne|zamestnanca)\b",
    ),
    "blame-third-party": (
        rf"\b(?:kurier\w*|prepravc\w*|posta|posty|dodavatel\w*|vyrobc\w*|partner\w*|banka|"
        rf"banky|platobn\w* bran\w*|sps|dpd|gls|subdodavatel\w*|tlaciaren)\b{W}{{0,50}}"
        r"\b(?:mesk|oneskor|strat|pokazil|chyb|zlyhal|vinou|poskod|nedorucil|nedodal|zamenil)\w*",
        r"\b(?:vinou|kvoli|z dovodu) (?:kuriera|prepravcu|dodavatela|posty|banky|partnera|"
        r"vyrobcu|subdodavatela)\b",
    ),
    "excuse": (
        r"\bz dovodu (?:velkeho|vysokeho|zvyseneho|enormneho) (?:mnozstva|objemu|zaujmu|"
        r"dopytu|poctu)\b",
        r"\bmimo (?:nasej|nasu) kontrol\w*",
        rf"\b(?:take|taketo|tieto|podobne|tak[ey]) veci sa\b{W}{{0,30}}\b(?:stavaju|mozu stat)\b",
        r"\bnepredvidan\w* (?:okolnost|udalost|situaci)\w*",
        r"\b(?:sezona|obdobie|tyzden|mesiac) (?:je|bol|bola|bolo) (?:velmi )?(?:narocn|"
        r"hektick|rusn)\w*",
        r"\b(?:systemov|technick)\w* (?:chyb|problem|vypad|poruch)\w*",
        r"\bnedostatok (?:personalu|ludi|zamestnancov)\b",
        r"\bkvoli (?:sviatkom|pocasiu|chorobe|chorobnosti|dovolenkam|strajku)\b",
        r"\b(?:chyby|omyly|meskania) sa stavaju\b",
    ),
    "conditional-apology": (
        r"\b(?:prepacte|ospravedlnujem(?:e)? sa|mrzi (?:nas|ma)),? ak\b",
        r"\bak ste sa (?:citili|citila|citil)\b",
        r"\bza (?:pripadne|akekolvek|pripadnu) (?:neprijemnost|komplikaci|problem)\w*",
        r"\bak (?:vam )?(?:to |sme )?(?:sposobil|sposobili|sposobilo)\w* (?:nejake |"
        r"akekolvek )?(?:neprijemnost|problem|starost)\w*",
        r"\bmrzi (?:nas|ma),? ze (?:to )?(?:tak )?vnimate\b",
    ),
    "minimizing": (
        r"\b(?:len|iba|lenom|jedine) (?:o )?(?:male|malicke|kratke|mierne|drobne|par|"
        r"nepatrne)\w*",
        r"\b(?:mala|malicka|kratka|mierna|drobna|nepatrna) (?:chybicka|chyba|meskanie|"
        r"oneskorenie|nepresnost|komplikacia)\b",
        r"\bnic (?:velke|vazne|hrozne|strasne|dramaticke)\b",
        r"\b(?:len|iba) (?:o )?(?:par|jeden|dva|dve) (?:dni|hodin|den)\b",
    ),
    "ownership": (
        r"\b(?:je to |bola to |ide o )?(?:nasa|moja) (?:chyba|vina|zodpovednost|chybou)\b",
        r"\b(?:pomylili|pokazili|zlyhali|sklamali|zanedbali|nedodrzali|zabudli|poplietli|"
        r"zaspali|pochybili|nesplnili|nedodali|nezaradili|neposlali|nezacali) sme\b",
        r"\bsme (?:to |vas )?(?:pokazili|zanedbali|nedodrzali|pochybili|nesplnili|nedodali|"
        r"zlyhali|sklamali|pomylili|zabudli|poplietli)\b",
        r"\bsme (?:urobili|spravili) (?:chybu|omyl)\b",
        r"\b(?:urobili|spravili) sme (?:chybu|omyl)\b",
        r"\bberiem(?:e)? (?:si )?(?:na seba )?(?:plnu |celu )?zodpovednost\b",
        r"\bzodpovedame za to (?:my|ja)\b",
        r"\bje to na nas\b",
        r"\bziadne vyhovorky\b",
        r"\bpreplietli sme\b|\bsme vas sklamali\b",
        r"\bchybu sme urobili my\b|\bpreklep sme urobili my\b|\bchyba bola na nasej strane\b",
    ),
    "remedy": (
        r"\b(?:vratime|vratili sme|vraciame|posleme|poslali sme|posielame|vymenime|vymenili|"
        r"opravime|opravili|dorucime|dodame|preplatime|odpustame|odpustime|odpustili|"
        r"napravime|napravili|nahradime|pridame|zariadime|zavolam|zavolame|tlacime|"
        r"vystavime|prepocitame|prideme|pripisem|pripiseme)\w*",
        r"\b(?:dobropis|zlav|kompenzac|bezplatn|zadarmo|poukaz|darcek)\w*",
        r"\b(?:novy|nova|nove) termin\b|\b(?:odisla|odisiel|odoslali|expedovali|zaplatili "
        r"sme|uz (?:bezi|funguje))\b|\bbude u vas\b",
    ),
    "prevention": (
        r"\bod (?:januara|februara|marca|aprila|maja|juna|jula|augusta|septembra|oktobra|"
        r"novembra|decembra)\b",
        r"\b(?:odteraz|odteraz uz|do buducna|v buducnosti|odo dnes|od dnesneho dna|od "
        r"buduceho mesiaca)\b",
        r"\baby sa (?:to )?(?:uz )?(?:neopakovalo|nestalo|neopakoval)\b",
        r"\b(?:zaviedli|pridali|zmenili|nastavili|upravili|zriadili|urcili|prijali) sme\b",
        r"\bsme (?:zaviedli|pridali|zmenili|nastavili|upravili|zriadili|urcili)\b",
        r"\b(?:nova|novu|dalsia|dodatocna|druha) (?:kontrol|krok|postup|pravidl)\w*",
        r"\b(?:kazdy|kazdu|kazde) (?:mesiac|report|objednavk|aktualizaci|zmen|dodavk|"
        r"fakturu)\w* (?:najprv )?(?:skontrol|over|otestuj|prever)\w*",
        r"\bbudeme (?:teraz )?(?:kontrolovat|overovat|testovat|volat)\b",
        r"\b(?:jeden|stala|osobna) kontaktna osoba\b",
    ),
}

EL: dict[str, tuple[str, ...]] = {
    "blame-customer": (
        r"\bπεριμεναμε (?:ακομα |ακομη )?(?:την|τα|το|τισ|τον|να) (?:\w+ )?(?:σασ|απο εσασ)\b",
        r"\b(?:επειδη|καθωσ|αφου) (?:εσεισ )?(?:δεν )?(?:μασ )?(?:στειλατε|πληρωσατε|"
        r"απαντησατε|ειχατε|δωσατε|εγκρινατε|επιβεβαιωσατε|ξεχασατε)\b",
        r"\bη (?:πληρωμη|απαντηση|εγκριση|παραγγελια) σασ (?:καθυστερησε|ηρθε αργα|ηταν "
        r"λαθοσ|ηταν ελλιπησ)\b",
        r"\bθα επρεπε να (?:ειχατε|μασ|το ειχατε)\b",
        r"\bαν (?:μασ )?ειχατε\b",
        r"\b(?:δικο σασ|απο τη δικη σασ πλευρα) (?:λαθοσ|παραλειψη)\b",
        r"\bδεν (?:μασ )?(?:στειλατε|πληρωσατε|ενημερωσατε) εγκαιρα\b",
    ),
    "blame-staff": (
        rf"\b(?:ο|η|ενασ|μια) (?:νεοσ |νεα |καινουργιοσ |καινουργια |καινουριοσ |καινουρια )?"
        rf"(?:συναδελφοσ|υπαλληλοσ|τεχνικοσ|αποθηκαριοσ|διανομεασ|οδηγοσ|ασκουμενοσ|"
        rf"εργαζομενοσ)\b(?: μασ)?{W}{{0,45}}\b(?:μπερδεψε|ξεχασε|εκανε (?:ενα )?λαθοσ|"
        r"ηταν (?:καινουργιοσ|καινουργια|νεοσ|νεα)|δεν (?:ελεγξε|εστειλε|εβαλε))\b",
        r"\b(?:ηταν|ειναι) (?:ακομα )?(?:καινουργιοσ|καινουργια|καινουριοσ|νεοσ|νεα) στη "
        r"δουλεια\b",
    ),
    "blame-third-party": (
        rf"\b(?:η |ο )?(?:εταιρεια )?(?:courier|κουριερ|μεταφορικ\w*|ταχυδρομει\w*|ελτα|acs|"
        rf"speedex|προμηθευτ\w*|κατασκευαστ\w*|συνεργατ\w*|τραπεζ\w*|παροχο\w* πληρωμων)\b"
        rf"{W}{{0,50}}\b(?:καθυστερ|εχασ|λαθ|φταιει|φταιξ|προβλημ|χαλασ|μπερδεψ|δεν "
        r"(?:παρεδωσ|εφερ|εστειλ))\w*",
        r"\bλογω (?:του |τησ |των )?(?:courier|κουριερ|προμηθευτη|τραπεζασ|μεταφορικησ|"
        r"συνεργατη|κατασκευαστη)\b",
        r"\bφταιει (?:ο|η|το) (?:courier|κουριερ|προμηθευτησ|τραπεζα|μεταφορικη|ταχυδρομειο)\b",
    ),
    "excuse": (
        r"\bλογω (?:του )?(?:μεγαλου|αυξημενου|υψηλου|τεραστιου|εκτακτου) (?:ογκου|φορτου|"
        r"αριθμου)\b",
        r"\b(?:εκτοσ|περα απο|περαν) (?:του )?ελεγχο(?:υ)? μασ\b",
        r"\bαυτα (?:συμβαινουν|γινονται|συμβαινουν καμια φορα)\b",
        r"\bαπροβλεπτ\w* (?:συνθηκ|γεγον|καταστασ)\w*",
        r"\b(?:τεχνικο|τεχνικου|συστημικο) (?:προβλημα|σφαλμα|ζητημα)\b",
        r"\bλογω (?:των )?(?:εορτων|γιορτων|διακοπων|καιρου|απεργιασ|απεργιων|ασθενειασ)\b",
        r"\bελλειψη προσωπικου\b",
        r"\b(?:πολυ )?(?:φορτωμεν|δυσκολ|πιεστικ)\w* (?:περιοδ|εβδομαδ|μηνα)\w*",
        r"\bτα λαθη (?:συμβαινουν|γινονται)\b",
    ),
    "conditional-apology": (
        r"\b(?:ζητουμε|ζητω|ζηταμε) (?:συγγνωμη|συγνωμη) αν\b",
        r"\b(?:συγγνωμη|συγνωμη|λυπουμαστε|λυπαμαι) αν\b",
        r"\bγια (?:οποιαδηποτε|τυχον|καθε) (?:ταλαιπωρια|αναστατωση|ενοχληση)\b",
        r"\bαν (?:σασ )?(?:ενοχλησε|ταλαιπωρησε|δημιουργησε|προκαλεσε|στενοχωρησε)\b",
        r"\bαν (?:νιωσατε|αισθανθηκατε|σασ φανηκε)\b",
    ),
    "minimizing": (
        r"\b(?:μονο|απλα|απλωσ|απλωσ μια|μονο μια) (?:μια )?(?:μικρη|ελαχιστη|συντομη|"
        r"μικρο)\b",
        r"\b(?:μια )?(?:μικρη|ελαχιστη|μικρουλα) (?:καθυστερηση|αστοχια|παραλειψη|"
        r"αναποδια|λεπτομερεια)\b",
        r"\bτιποτα (?:σοβαρο|τρομερο|φοβερο|ανησυχητικο)\b",
        r"\bμονο (?:λιγεσ|δυο|μια|μερικεσ) (?:μερεσ|ωρεσ|μερα|ωρα)\b",
    ),
    "ownership": (
        r"\b(?:το )?λαθοσ (?:ειναι |ηταν )?(?:δικο μασ|δικο μου|ολοκληρωτικα δικο μασ)\b",
        r"\b(?:φταιμε|φταιω) (?:εμεισ|εγω)\b",
        r"\b(?:καναμε|εκανα) (?:ενα )?(?:λαθοσ|σφαλμα)\b",
        r"\b(?:αποτυχαμε|σασ απογοητευσαμε|σασ αφησαμε εκτεθειμενουσ)\b",
        r"\bδεν (?:το )?(?:τηρησαμε|παραδωσαμε|στειλαμε|κρατησαμε|ελεγξαμε|ξεκινησαμε|"
        r"κανονισαμε)\b",
        r"\bαναλαμβανουμε (?:πληρωσ |ολοκληρη |ολη )?την ευθυνη\b",
        r"\bη ευθυνη (?:ειναι )?(?:δικη μασ|δικη μου|ολη δικη μασ)\b",
        r"\bχωρισ δικαιολογιεσ\b",
        # The other word order ("it is our mistake") and an object pronoun before the verb
        # ("we did not start it") are just as common.
        r"\b(?:ειναι|ηταν) (?:δικο μασ|δικο μου|δικη μασ|δικη μου) (?:το )?(?:λαθοσ|ευθυνη|"
        r"σφαλμα)\b",
        r"\bδεν (?:την|τον|το|τα|τισ|τουσ) (?:τηρησαμε|παραδωσαμε|στειλαμε|κρατησαμε|"
        r"ελεγξαμε|ξεκινησαμε|κανονισαμε|φτιαξαμε)\b",
        r"\b(?:περασαμε|στειλαμε|βαλαμε) (?:τον |την |το |τα )?λαθοσ\b",
        r"\bσασ χρεωσαμε δυο φορεσ\b|\bεχετε (?:απολυτο )?δικιο\b",
    ),
    "remedy": (
        r"\b(?:επιστροφη|επιστρεφουμε|επιστρεψαμε|στελνουμε|στειλαμε|θα στειλουμε|"
        r"αντικαθιστουμε|αντικατασταση|διορθωνουμε|διορθωσαμε|διορθωθηκε|καλυπτουμε|"
        r"θα καλυψουμε|πιστωνουμε|πιστωση|εκπτωση|αποζημιωση|δωρεαν|παραδιδεται|"
        r"επισκευαζουμε|επισκευη|ξαναστελνουμε|αλλαζουμε)\w*",
        r"\bθα σασ (?:στειλουμε|καλεσω|καλεσουμε|παραδωσουμε|γραψω|επιστρεψουμε)\b",
        r"\b(?:σταλθηκε|σταλθηκαν|την ορισαμε ξανα|λειτουργει ξανα|πληρωσαμε εμεισ|"
        r"θα ειναι (?:στο|εκει))\b",
    ),
    "prevention": (
        r"\b(?:απο (?:εδω και |σημερα και |τωρα και )?(?:περα|στο εξησ)|στο εξησ|στο μελλον|"
        r"απο τον επομενο μηνα)\b",
        r"\b(?:ωστε|για) να μην (?:ξανα)?(?:συμβει|επαναληφθει|ξανασυμβει)\b",
        r"\b(?:προσθεσαμε|εισαγαμε|καθιερωσαμε)\b",
        r"\b(?:προσθεσαμε|αλλαξαμε|εισαγαμε|καθιερωσαμε|ορισαμε|βαλαμε) (?:\w+ )?(?:ελεγχο|"
        r"βημα|διαδικασια|κανονα|υπευθυνο|τροπο)\w*",
        r"\b(?:νεα|νεο|επιπλεον|δευτερο|δευτερη) (?:διαδικασια|ελεγχο|βημα|ατομο|"
        r"υπενθυμιση)\w*",
        r"\bκαθε (?:αλλαγη|αναφορα|παραγγελια|αποστολη|ενημερωση) (?:τιμων )?"
        r"(?:θα )?(?:ελεγχεται|ελεγχθει|δοκιμαζεται)\b",
    ),
}

TH: dict[str, tuple[str, ...]] = {
    "blame-customer": (
        r"(?:เนื่องจาก|เพราะ)(?:ว่า)?(?:คุณ|ลูกค้า|ทางคุณ|ท่าน)(?:ยัง)?(?:ไม่ได้|ไม่|ชำระ|ส่ง|ลืม)",
        r"เรา(?:ยัง)?(?:รอ|คอย)(?:ข้อมูล|เอกสาร|การชำระเงิน|คำตอบ|ไฟล์|การยืนยัน)(?:จาก)?"
        r"(?:คุณ|ลูกค้า|ทางคุณ|ท่าน)",
        r"(?:คุณ|ลูกค้า|ท่าน)(?:ชำระเงิน|โอนเงิน|ส่งข้อมูล|ส่งเอกสาร|ยืนยัน|แจ้ง)(?:มา)?"
        r"(?:ล่าช้า|ช้า|ไม่ครบ|ผิด)",
        r"(?:ถ้า|หาก)(?:คุณ|ลูกค้า|ท่าน)(?:ส่ง|แจ้ง|ชำระ|ยืนยัน)(?:มา)?(?:เรา|ทางเรา)?"
        r"(?:เร็ว|ก่อน|ตั้งแต่)",
        r"(?:คุณ|ลูกค้า|ท่าน)ควรจะ",
        r"ความผิด(?:พลาด)?(?:ของ|จาก)(?:คุณ|ลูกค้า|ทางคุณ)",
    ),
    "blame-staff": (
        r"(?:พนักงาน|น้อง|เจ้าหน้าที่|ช่าง|คนขับ|พนักงานส่งของ|พนักงานใหม่|แอดมิน)(?:ใหม่)?"
        r"(?:ของเรา)?(?:คนหนึ่ง)?[^.!?\n]{0,25}?(?:ทำผิด|ลืม|สับสน|ใส่ผิด|ส่งผิด|"
        r"เข้าใจผิด|ยังใหม่|ไม่ได้ตรวจ|อ่านที่อยู่ผิด|แพ็คผิด|ต่อ\S{0,10}ผิด)",
    ),
    "blame-third-party": (
        r"(?:บริษัทขนส่ง|ขนส่ง|ไปรษณีย์|kerry|flash|ซัพพลายเออร์|ผู้ผลิต|โรงงาน|ธนาคาร|"
        r"พาร์ทเนอร์|คู่ค้า|ผู้ให้บริการชำระเงิน|ผู้รับเหมา)[^.!?\n]{0,30}?(?:ล่าช้า|ทำหาย|"
        r"ผิดพลาด|เสียหาย|มีปัญหา|ส่งผิด|ส่งช้า|ทำพัง|หาย|ช้า)",
        r"(?:เป็นความผิดของ|เพราะ|เนื่องจาก)(?:ทาง)?(?:บริษัทขนส่ง|ขนส่ง|ไปรษณีย์|"
        r"ซัพพลายเออร์|ธนาคาร|ผู้ผลิต|พาร์ทเนอร์)",
    ),
    "excuse": (
        r"(?:เนื่องจาก|เพราะ)(?:มี)?(?:ออเดอร์|คำสั่งซื้อ|ลูกค้า|ปริมาณงาน|งาน)"
        r"(?:จำนวน|เข้ามา)?(?:มาก|เยอะ|ล้น)",
        r"(?:เหนือการควบคุม|นอกเหนือการควบคุม|อยู่นอกการควบคุม|ควบคุมไม่ได้)",
        r"เรื่อง(?:แบบ|อย่าง)นี้(?:เกิดขึ้นได้|เกิดขึ้นได้เสมอ|เป็นเรื่องปกติ)",
        r"(?:เหตุสุดวิสัย|สถานการณ์ที่ไม่คาดคิด|เหตุการณ์ที่ไม่คาดคิด)",
        # A season named as the reason is an excuse; "during the festival" alone (as in
        # a case's title, "ระบบสั่งซื้อออนไลน์ล่มช่วงเทศกาล") only says when it happened.
        r"(?:เนื่องจาก|เพราะ|ด้วย)(?:เป็น)?ช่วง(?:นี้)?(?:เทศกาล|ยุ่ง|วันหยุด|ปีใหม่|สงกรานต์)",
        r"ช่วง(?:นี้)?ยุ่ง",
        r"เป็นช่วง(?:เทศกาล|วันหยุด|ปีใหม่|สงกรานต์)",
        r"ช่วง(?:เทศกาล|วันหยุด|ปีใหม่|สงกรานต์)\S{0,20}(?:เยอะ|มาก|ล้น|ยุ่ง|หยุดยาว)",
        r"ระบบ(?:มีปัญหา|ขัดข้อง|ล่ม|ผิดพลาด)",
        r"(?:พนักงาน|คน)(?:ไม่พอ|ขาด)",
        r"(?:เนื่องจาก|เพราะ)(?:ฝนตก|น้ำท่วม|สภาพอากาศ|รถติด)",
    ),
    "conditional-apology": (
        r"(?:ขออภัย|ขอโทษ)(?:ด้วย)?(?:นะ)?(?:คะ|ค่ะ|ครับ)?(?:หาก|ถ้า)",
        r"(?:หาก|ถ้า)(?:เรื่องนี้|การ\S{0,10})?(?:ทำให้)(?:คุณ|ท่าน|ลูกค้า)?(?:ไม่สะดวก|"
        r"ไม่พอใจ|รู้สึก|ลำบาก)",
        r"ความไม่สะดวกที่อาจ(?:จะ)?เกิดขึ้น",
        r"ที่(?:คุณ|ท่าน)(?:รู้สึก|มองว่า)",
    ),
    "minimizing": (
        r"(?:แค่|เพียง|เพียงแค่)(?:ล่าช้า|ช้า|ผิดพลาด)?(?:เล็กน้อย|นิดหน่อย|นิดเดียว|"
        r"ไม่กี่(?:วัน|ชั่วโมง|นาที))",
        r"(?:ไม่ใช่|ไม่ได้เป็น)เรื่องใหญ่",
        r"(?:ล่าช้า|ผิดพลาด|ปัญหา)เล็กน้อย",
    ),
    "ownership": (
        r"(?:ความผิด|ความผิดพลาด)(?:ครั้ง)?(?:นี้)?(?:เป็น)?(?:ของเรา|ของผม|ของดิฉัน|"
        r"ของทางเรา)",
        r"เรา(?:เป็นฝ่าย)?(?:ทำ)?(?:ผิดพลาด|ผิดเอง|พลาดเอง|พลาด|ทำผิด)",
        r"เรา(?:ขอ)?รับผิดชอบ",
        r"เราทำให้(?:คุณ|ท่าน|ลูกค้า)ผิดหวัง",
        r"(?:เป็น|คือ)ความรับผิดชอบของ(?:เรา|ผม|ดิฉัน)",
        r"เราไม่ได้(?:ทำตาม|ส่ง|จัดส่ง|รักษา)(?:ที่|คำ)?สัญญา",
        r"เราบันทึก\S{0,20}ผิด|เราประกอบ\S{0,20}ผิด|เราส่ง\S{0,10}ผิด",
        r"เรา(?:ลืม|พลาด|ละเลย)",
    ),
    "remedy": (
        r"(?:คืนเงิน|ส่ง(?:สินค้า|ของ)?ใหม่|เปลี่ยน(?:สินค้า|ของ)?ใหม่|แก้ไข(?:ให้)?"
        r"(?:แล้ว|เรียบร้อย)|ชดเชย|ส่วนลด|เครดิต|ฟรี|จัดส่ง(?:ให้)?(?:ภายใน|วันนี้|พรุ่งนี้)|"
        r"ซ่อม(?:ให้)?ใหม่|โทร(?:กลับ|หา)|แก้ไขงบ|ส่งฉบับใหม่|จ่ายค่า|ย้ายระบบ|ไม่คิดค่า)",
        r"จะ(?:รีบ)?(?:จัดส่ง|ส่ง|แก้ไข|คืน|ชดเชย|ซ่อม|เปลี่ยน|ดำเนินการ)",
        r"(?:ถูกส่ง(?:ออก)?ไป|นัดใหม่|กลับมาใช้(?:งาน)?ได้|จ่ายค่า\S{0,20}ให้เอง|จะไปถึง)",
    ),
    "prevention": (
        r"(?:ตั้งแต่(?:นี้|วันนี้|เดือน\S{0,10})(?:เป็นต้นไป)?|ต่อไปนี้|ในอนาคต|นับจากนี้)",
        r"เพิ่ม(?:การ)?แจ้งเตือน",
        r"(?:เพื่อไม่ให้|จะไม่ให้)(?:เกิด(?:ขึ้น)?|เป็น)(?:แบบนี้)?อีก|จะไม่เกิดขึ้นอีก",
        r"เพิ่ม(?:การ)?(?:ตรวจสอบ|ขั้นตอน|กระทบยอด|การโทรยืนยัน)",
        r"(?:ขั้นตอน|ระบบ|วิธีการ)ใหม่",
        r"(?:เปลี่ยน|ปรับ)(?:ขั้นตอน|วิธีการ|ระบบ|กระบวนการ)",
        r"ต้อง(?:ทดสอบ|ตรวจ|ลงชื่อ|โทรยืนยัน)",
    ),
}

LEXICONS = {"en": EN, "sk": SK, "el": EL, "th": TH}

# A cue preceded by one of these (within a few words) is denied, not asserted:
# "it was not your fault", "this is no excuse".
NEGATIONS = {
    "en": r"\b(?:not|never|no|isn'?t|wasn'?t|aren'?t|weren'?t|nothing to do with)\b",
    "sk": r"\b(?:nie|nebola|nebol|nebolo|vobec nie|ziadna|ziadny|ziadne)\b",
    "el": r"\b(?:δεν|οχι|καθολου|ουτε)\b",
    "th": r"(?:ไม่ใช่|ไม่ได้|ไม่)",
}
