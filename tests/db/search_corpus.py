"""The search quality set: articles in the agencies' languages and queries with their answers.

English, Russian and Arabic articles are the recorded sites' (tests/fixtures/sites, keyed by
URL). The others are MADE HERE for this test: short news items written for it in the style
of agency copy (invented events, no agency's text), because the recorded sites hold no
Persian, Turkish, French, Spanish or German article; a few Russian and Arabic ones are added
so that each language has distractors. Each made article is keyed ``made:<lang>:<n>``.

Queries use the forms a reader types, often not those in the text: another case or number
(пожары for пожара, الغارات for غارة, yangınlar for yangını), a prefix (Kreml*), a phrase,
words without their accents. A few are known to be hard for light stemming (Arabic broken
plurals, Persian -ی adjectives) and stay in, so the measure is not flattering.
"""

from __future__ import annotations

from typing import NamedTuple


class Made(NamedTuple):
    key: str
    source: str
    language: str
    title: str
    body: str


class Case(NamedTuple):
    language: str
    query: str
    relevant: tuple[str, ...]


SANA_EN = "https://sana.sy/en/?p=92385"
SANA_LOCAL = "https://sana.sy/en/local/2290417/"
SANA_AR = "https://sana.sy/?p=462137"
AA_WIND = (
    "https://www.aa.com.tr/en/turkiye/turkiye-opens-tender-for-3-new-wind-farms-in-aegean-region/"
    "3218765"
)
AA_FLOODS = (
    "https://www.aa.com.tr/en/world/flash-floods-cut-off-villages-in-northern-georgia/3218102"
)
IRNA_METRO = (
    "https://en.irna.ir/news/85471688/Tehran-metro-Line-10-tunnel-boring-reaches-halfway-mark"
)
IRNA_EXPORTS = (
    "https://en.irna.ir/news/85472103/Iran-s-non-oil-exports-to-neighbours-up-12-in-first-month-of"
)
TASS_CARGO = "https://tass.com/economy/1867601"
TASS_CASPIAN = "https://tass.com/politics/1867543"
XINHUA_SATELLITES = "https://english.news.cn/20240514/3f2a9c7e5b1d4e8fa6c0b9d2e7f41a53/c.html"
XINHUA_RAIL = "http://www.xinhuanet.com/english/2016-10/19/c_135765432.htm"
RIA_SUBSIDIES = "https://ria.ru/20161019/1479512345.html"
RIA_FIRES = "https://ria.ru/20240514/lesa-1945678123.html"

MADE = (
    # --- Russian (made here) ---
    Made(
        "made:ru:1",
        "interfax-ru",
        "ru",
        "В Иркутской области из-за паводка эвакуировали жителей трех сел",
        "ИРКУТСК, 12 апреля. Спасатели эвакуировали более 400 жителей трех сел Иркутской "
        "области, которые оказались в зоне подтопления после резкого подъема уровня воды в реке "
        "Ия. По данным регионального МЧС, вода затопила около 200 жилых домов. Пострадавших "
        "нет, в пунктах временного размещения работают медики.",
    ),
    Made(
        "made:ru:2",
        "interfax-ru",
        "ru",
        "Кремль прокомментировал новые санкции Евросоюза",
        "МОСКВА, 3 июня. Пресс-секретарь президента России Дмитрий Песков заявил журналистам, "
        "что новые санкции Евросоюза не окажут заметного влияния на российскую экономику. По "
        "его словам, Москва проанализирует принятые в Брюсселе решения и ответит на них, "
        "исходя из собственных интересов. Ранее Совет ЕС утвердил очередной пакет "
        "ограничительных мер.",
    ),
    Made(
        "made:ru:3",
        "interfax-ru",
        "ru",
        "На выборах губернатора в Приморье проголосовали более 40% избирателей",
        "ВЛАДИВОСТОК, 15 сентября. Явка на выборах губернатора Приморского края превысила 40 "
        "процентов, сообщила председатель краевой избирательной комиссии. Голосование "
        "проходило в течение трех дней, наблюдатели не зафиксировали серьезных нарушений. "
        "Предварительные итоги будут подведены в понедельник.",
    ),
    Made(
        "made:ru:4",
        "interfax-ru",
        "ru",
        "Пожарные потушили крупное возгорание на складе в Подмосковье",
        "МОСКВА, 20 июля. Пожар на складе площадью 2000 квадратных метров в подмосковном "
        "Ногинске ликвидирован, сообщили в ГУ МЧС по Московской области. В тушении участвовали "
        "более 60 пожарных и 20 единиц техники. Причины возгорания устанавливаются, "
        "пострадавших нет.",
    ),
    # --- Arabic (made here) ---
    Made(
        "made:ar:1",
        "kuna-ar",
        "ar",
        "زلزال بقوة 5.8 درجات يضرب جنوب إيران",
        "طهران - ضرب زلزال بقوة 5.8 درجات على مقياس ريختر محافظة هرمزغان جنوب إيران صباح "
        "اليوم، ما أدى إلى إصابة عشرات الأشخاص وتضرر عدد من المنازل في القرى القريبة من مركز "
        "الزلزال. وأعلنت فرق الإنقاذ أنها أرسلت وحدات إضافية إلى المناطق المتضررة.",
    ),
    Made(
        "made:ar:2",
        "kuna-ar",
        "ar",
        "الأمطار الغزيرة تتسبب بفيضانات في عدة محافظات سورية",
        "دمشق - تسببت الأمطار الغزيرة التي هطلت خلال اليومين الماضيين بفيضانات في محافظات "
        "اللاذقية وطرطوس وحماة، وغمرت المياه عشرات المنازل والأراضي الزراعية. وعملت فرق "
        "الدفاع المدني على فتح الطرقات وإجلاء العائلات من المناطق المنخفضة.",
    ),
    Made(
        "made:ar:3",
        "kuna-ar",
        "ar",
        "وزير النفط: صادرات الخام ارتفعت خلال الشهر الماضي",
        "بغداد - أعلن وزير النفط أن صادرات النفط الخام ارتفعت خلال الشهر الماضي إلى أكثر من "
        "ثلاثة ملايين برميل يومياً، مشيراً إلى أن الوزارة تعمل على زيادة الطاقة الإنتاجية "
        "للحقول الجنوبية. وأضاف الوزير أن العائدات المالية ستخصص لدعم مشاريع البنية التحتية.",
    ),
    Made(
        "made:ar:4",
        "kuna-ar",
        "ar",
        "انطلاق الانتخابات البرلمانية وسط إقبال متوسط",
        "بيروت - فتحت مراكز الاقتراع أبوابها صباح اليوم أمام الناخبين للمشاركة في الانتخابات "
        "البرلمانية، وسط إجراءات أمنية مشددة. وقالت وزارة الداخلية إن نسبة المشاركة بلغت حتى "
        "الظهر نحو عشرين بالمئة، على أن تعلن النتائج الأولية مساء غد.",
    ),
    Made(
        "made:ar:5",
        "kuna-ar",
        "ar",
        "غارة جوية تستهدف مستودعاً للأسلحة في ريف إدلب",
        "إدلب - استهدفت غارة جوية مستودعاً للأسلحة والذخيرة تابعاً لمجموعة مسلحة في ريف إدلب "
        "الجنوبي، ما أدى إلى تدميره بالكامل. وذكرت مصادر محلية أن الغارة أسفرت عن مقتل عدد من "
        "المسلحين.",
    ),
    # --- Persian (made here) ---
    Made(
        "made:fa:1",
        "irib-fa",
        "fa",
        "زلزله ۵.۲ ریشتری کرمان را لرزاند",
        "کرمان - زلزله‌ای به بزرگی ۵.۲ ریشتر صبح امروز شهرستان راور در استان کرمان را لرزاند. "
        "به گفته رئیس جمعیت هلال احمر استان، این زمین‌لرزه خسارت جانی نداشته اما به چند "
        "ساختمان قدیمی آسیب رسانده است. تیم‌های امدادی برای ارزیابی خسارت‌ها به منطقه اعزام "
        "شدند.",
    ),
    Made(
        "made:fa:2",
        "irib-fa",
        "fa",
        "صادرات غیرنفتی ایران به کشورهای همسایه افزایش یافت",
        "تهران - رئیس سازمان توسعه تجارت گفت صادرات غیرنفتی ایران به کشورهای همسایه در ماه "
        "گذشته دوازده درصد افزایش یافته است. عراق، امارات و ترکیه بزرگ‌ترین خریداران "
        "کالاهای ایرانی بودند. وی افزود بازارچه‌های مرزی جدید با ارمنستان تا پایان تابستان "
        "افتتاح می‌شوند.",
    ),
    Made(
        "made:fa:3",
        "irib-fa",
        "fa",
        "سیل در استان گلستان صدها خانه را ویران کرد",
        "گرگان - بارش‌های شدید باران در استان گلستان باعث جاری شدن سیل شد و صدها خانه و مزرعه "
        "را ویران کرد. استاندار گلستان اعلام کرد نیروهای امدادی در حال تخلیه روستاهای "
        "آسیب‌دیده هستند. سیلاب‌ها همچنین چند جاده اصلی را مسدود کرده‌اند.",
    ),
    Made(
        "made:fa:4",
        "irib-fa",
        "fa",
        "وزیر خارجه: تحریم‌های جدید آمریکا غیرقانونی است",
        "تهران - وزیر امور خارجه ایران تحریم‌های جدید آمریکا علیه صنعت نفت کشور را غیرقانونی "
        "خواند و گفت این تحریم‌ها نقض آشکار حقوق بین‌الملل است. او تأکید کرد که ایران به "
        "همکاری با شرکای تجاری خود ادامه خواهد داد.",
    ),
    Made(
        "made:fa:5",
        "irib-fa",
        "fa",
        "خط ده متروی تهران به نیمه راه رسید",
        "تهران - دستگاه حفار تونل خط ده متروی تهران یازده کیلومتر از مسیر بیست و دو کیلومتری "
        "را حفاری کرده است. مدیرعامل شرکت متروی تهران گفت نخستین بخش این خط در بهار سال آینده "
        "به روی مسافران باز می‌شود.",
    ),
    Made(
        "made:fa:6",
        "irib-fa",
        "fa",
        "انتخابات شوراها با مشارکت گسترده برگزار شد",
        "تهران - انتخابات شوراهای شهر و روستا روز جمعه در سراسر کشور برگزار شد. سخنگوی ستاد "
        "انتخابات کشور گفت میزان مشارکت در شهرهای بزرگ بیش از انتظار بوده است. شمارش آرا تا "
        "صبح شنبه ادامه دارد.",
    ),
    # --- Turkish (made here) ---
    Made(
        "made:tr:1",
        "sana-tr",
        "tr",
        "İzmir'de orman yangını: 3 köy tahliye edildi",
        "İZMİR - İzmir'in Menderes ilçesinde dün öğleden sonra başlayan orman yangını kuvvetli "
        "rüzgarın etkisiyle yayıldı. Yangına helikopter ve uçaklarla müdahale edildi, üç köy "
        "önlem amacıyla tahliye edildi. Orman Genel Müdürlüğü yangının kontrol altına "
        "alındığını açıkladı.",
    ),
    Made(
        "made:tr:2",
        "sana-tr",
        "tr",
        "Kahramanmaraş'ta 4,9 büyüklüğünde deprem",
        "KAHRAMANMARAŞ - Afet ve Acil Durum Yönetimi Başkanlığı, Kahramanmaraş'ın Göksun "
        "ilçesinde 4,9 büyüklüğünde bir deprem meydana geldiğini duyurdu. Depremin yerin "
        "yaklaşık 7 kilometre derinliğinde gerçekleştiği bildirildi. Çevre illerde de "
        "hissedilen sarsıntıda can kaybı yaşanmadı.",
    ),
    Made(
        "made:tr:3",
        "sana-tr",
        "tr",
        "Kremlin: Ukrayna ile müzakerelere hazırız",
        "MOSKOVA - Kremlin Sözcüsü Dmitriy Peskov, Rusya'nın Ukrayna ile müzakerelere hazır "
        "olduğunu ancak bazı şartların yerine getirilmesi gerektiğini söyledi. Peskov, "
        "Kremlin'in Türkiye'nin arabuluculuk çabalarını olumlu karşıladığını da ifade etti.",
    ),
    Made(
        "made:tr:4",
        "sana-tr",
        "tr",
        "Yerel seçimlerde katılım oranı yüzde 78 oldu",
        "ANKARA - Yüksek Seçim Kurulu Başkanı, yerel seçimlerde katılım oranının yüzde 78 "
        "olduğunu açıkladı. Seçim sonuçlarına yapılan itirazların bu hafta içinde "
        "değerlendirileceğini belirten Başkan, sandıkların güvenli şekilde sayıldığını vurguladı.",
    ),
    Made(
        "made:tr:5",
        "sana-tr",
        "tr",
        "Ege'de üç yeni rüzgar santrali için ihale açıldı",
        "ANKARA - Enerji ve Tabii Kaynaklar Bakanı, Ege Bölgesi'nde toplam 1.200 megavat "
        "kapasiteli üç yeni rüzgar santrali için ihale açıldığını duyurdu. Santrallerin İzmir, "
        "Aydın ve Muğla'da kurulacağı ve 2028 yılına kadar tamamlanacağı belirtildi.",
    ),
    Made(
        "made:tr:6",
        "sana-tr",
        "tr",
        "Karadeniz'de sel: iki köprü yıkıldı",
        "RİZE - Karadeniz Bölgesi'nde etkili olan şiddetli yağışların ardından meydana gelen sel "
        "nedeniyle iki köprü yıkıldı. Ekipler, mahsur kalan vatandaşları tahliye etti. "
        "Meteoroloji, bölge için yeni uyarılar yaptı.",
    ),
    # --- French (made here) ---
    Made(
        "made:fr:1",
        "sana-fr",
        "fr",
        "Incendies de forêt : des milliers d'hectares brûlés dans le Var",
        "TOULON - Les incendies qui ravagent le massif des Maures depuis lundi ont déjà brûlé "
        "plus de 3 000 hectares, selon la préfecture du Var. Plus de 800 pompiers sont "
        "mobilisés, appuyés par des avions bombardiers d'eau. Des habitants de plusieurs "
        "communes ont été évacués par précaution.",
    ),
    Made(
        "made:fr:2",
        "sana-fr",
        "fr",
        "Élections législatives : la participation en hausse",
        "PARIS - La participation au premier tour des élections législatives s'élevait à 59 % à "
        "17 heures, en nette hausse par rapport au précédent scrutin, a annoncé le ministère de "
        "l'Intérieur. Les bureaux de vote fermeront à 20 heures dans les grandes villes.",
    ),
    Made(
        "made:fr:3",
        "sana-fr",
        "fr",
        "Le Kremlin dénonce de nouvelles sanctions européennes",
        "MOSCOU - Le porte-parole du Kremlin, Dmitri Peskov, a qualifié mercredi d'illégales les "
        "nouvelles sanctions adoptées par l'Union européenne. Selon lui, ces mesures nuiront "
        "d'abord aux économies européennes. Moscou prépare une réponse, a-t-il ajouté.",
    ),
    Made(
        "made:fr:4",
        "sana-fr",
        "fr",
        "Séisme de magnitude 6,1 au large de la Grèce",
        "ATHÈNES - Un séisme de magnitude 6,1 a été ressenti mercredi matin dans plusieurs îles "
        "grecques, selon l'Institut géodynamique d'Athènes. Aucune victime n'a été signalée, "
        "mais des dégâts matériels ont été constatés dans des villages proches de l'épicentre.",
    ),
    Made(
        "made:fr:5",
        "sana-fr",
        "fr",
        "Inondations : le Pas-de-Calais placé en vigilance rouge",
        "ARRAS - Météo-France a placé le Pas-de-Calais en vigilance rouge pour crues, après des "
        "pluies exceptionnelles qui ont fait déborder plusieurs rivières. Des centaines de "
        "maisons sont inondées et les écoles resteront fermées jeudi.",
    ),
    # --- Spanish (made here) ---
    Made(
        "made:es:1",
        "telesur-es",
        "es",
        "Incendio forestal obliga a evacuar a cientos de vecinos en Valencia",
        "VALENCIA - Un incendio forestal declarado el martes en la sierra de Calderona obligó a "
        "evacuar a más de 600 vecinos de varias urbanizaciones. Los bomberos trabajan con "
        "medios aéreos para frenar el avance de las llamas, avivadas por el viento.",
    ),
    Made(
        "made:es:2",
        "telesur-es",
        "es",
        "Elecciones en Venezuela: la participación supera el 40 %",
        "CARACAS - El Consejo Nacional Electoral informó que la participación en las elecciones "
        "regionales superó el 40 % del padrón. Los centros de votación cerraron a las seis de "
        "la tarde y los primeros resultados se conocerán durante la noche.",
    ),
    Made(
        "made:es:3",
        "telesur-es",
        "es",
        "Terremoto de magnitud 6,4 sacude el sur de Perú",
        "LIMA - Un terremoto de magnitud 6,4 sacudió este miércoles el sur de Perú, sin que se "
        "reportaran víctimas, según el Instituto Geofísico. El sismo se sintió con fuerza en "
        "Arequipa y Tacna, donde algunas viviendas antiguas sufrieron daños.",
    ),
    Made(
        "made:es:4",
        "telesur-es",
        "es",
        "Cuba denuncia el endurecimiento del bloqueo estadounidense",
        "LA HABANA - El canciller cubano denunció que las nuevas sanciones de Estados Unidos "
        "endurecen el bloqueo económico contra la isla y afectan la importación de alimentos y "
        "medicinas. El ministro pidió a la comunidad internacional rechazar estas medidas.",
    ),
    Made(
        "made:es:5",
        "telesur-es",
        "es",
        "Lluvias torrenciales causan inundaciones en Bolivia",
        "LA PAZ - Las lluvias torrenciales de los últimos días causaron inundaciones en los "
        "departamentos de Beni y Pando, donde miles de familias resultaron afectadas. El "
        "Gobierno declaró la emergencia y envió ayuda humanitaria a las zonas inundadas.",
    ),
    # --- German (made here; the registry has no German edition, so filed under sana-en) ---
    Made(
        "made:de:1",
        "sana-en",
        "de",
        "Waldbrand in Brandenburg: Feuerwehr kämpft gegen die Flammen",
        "POTSDAM - Ein Waldbrand südlich von Berlin hat sich auf mehr als 200 Hektar "
        "ausgebreitet. Hunderte Feuerwehrleute sind im Einsatz, zwei Dörfer wurden vorsorglich "
        "evakuiert. Die Löscharbeiten werden nach Angaben des Landkreises noch mehrere Tage "
        "dauern.",
    ),
    Made(
        "made:de:2",
        "sana-en",
        "de",
        "Bundestagswahl: Wahlbeteiligung höher als vor vier Jahren",
        "BERLIN - Die Wahlbeteiligung bei der Bundestagswahl lag nach Angaben der "
        "Bundeswahlleiterin bei 82 Prozent und damit deutlich höher als bei der letzten Wahl. "
        "Die Wahllokale schlossen um 18 Uhr, erste Hochrechnungen werden am Abend erwartet.",
    ),
    Made(
        "made:de:3",
        "sana-en",
        "de",
        "Kreml weist neue Sanktionen der EU zurück",
        "MOSKAU - Der Kreml hat die neuen Sanktionen der Europäischen Union als rechtswidrig "
        "zurückgewiesen. Kremlsprecher Dmitri Peskow sagte, Russland werde angemessen auf die "
        "Strafmaßnahmen reagieren.",
    ),
    Made(
        "made:de:4",
        "sana-en",
        "de",
        "Hochwasser in Bayern: Pegelstände steigen weiter",
        "MÜNCHEN - Nach tagelangen Regenfällen steigen die Pegelstände an der Donau und ihren "
        "Nebenflüssen weiter. In mehreren Gemeinden wurden Keller überflutet, Straßen mussten "
        "gesperrt werden. Der Deutsche Wetterdienst warnt vor weiteren Unwettern.",
    ),
    Made(
        "made:de:5",
        "sana-en",
        "de",
        "Erdbeben der Stärke 5,2 erschüttert Süden der Türkei",
        "ISTANBUL - Ein Erdbeben der Stärke 5,2 hat am Dienstag den Süden der Türkei "
        "erschüttert. Nach Angaben der Katastrophenschutzbehörde wurden mehrere Gebäude "
        "beschädigt, Berichte über Tote gab es zunächst nicht.",
    ),
)

CASES = (
    # --- Russian: the recorded RIA articles and the made ones ---
    Case("ru", "пожар", (RIA_FIRES, "made:ru:4")),
    Case("ru", "пожары", (RIA_FIRES, "made:ru:4")),
    Case("ru", "лесные пожары", (RIA_FIRES,)),
    Case("ru", '"лесных пожаров"', (RIA_FIRES,)),
    Case("ru", "субсидию", (RIA_SUBSIDIES,)),
    Case("ru", "авиаперевозкам", (RIA_SUBSIDIES,)),
    Case("ru", "санкциями Евросоюза", ("made:ru:2",)),
    Case("ru", "Пескова", ("made:ru:2",)),
    Case("ru", "выборы губернатора", ("made:ru:3",)),
    Case("ru", "эвакуированных жителей", ("made:ru:1",)),
    Case("ru", "паводки", ("made:ru:1",)),
    Case("ru", "Карел*", (RIA_FIRES,)),
    # --- Arabic: the recorded SANA article and the made ones ---
    Case("ar", "غارة", (SANA_AR, "made:ar:5")),
    Case("ar", "الغارات", (SANA_AR, "made:ar:5")),
    Case("ar", "الكرملين", (SANA_AR,)),
    Case("ar", "كرملين", (SANA_AR,)),
    Case("ar", "حلب", (SANA_AR,)),
    Case("ar", "بيسكوف", (SANA_AR,)),
    Case("ar", "الزلزال", ("made:ar:1",)),
    Case("ar", "زلازل", ("made:ar:1",)),  # a broken plural: no light stemmer joins it
    Case("ar", "فيضان", ("made:ar:2",)),
    Case("ar", "صادرات النفط", ("made:ar:3",)),
    Case("ar", "انتخابات برلمانية", ("made:ar:4",)),
    Case("ar", "المسلحين", ("made:ar:5",)),
    # --- Persian (made here) ---
    Case("fa", "زلزله", ("made:fa:1",)),
    Case("fa", "تحریم", ("made:fa:4",)),
    Case("fa", "تحریمها", ("made:fa:4",)),
    Case("fa", "سیل‌ها", ("made:fa:3",)),
    Case("fa", "صادرات", ("made:fa:2",)),
    Case("fa", "انتخابات", ("made:fa:6",)),
    Case("fa", "مترو", ("made:fa:5",)),
    Case("fa", "خانه‌ها", ("made:fa:3",)),
    Case("fa", "كرمان", ("made:fa:1",)),  # with the Arabic kaf
    Case("fa", "ایرانی", ("made:fa:2", "made:fa:4")),  # -ی: Snowball stems ایران apart
    # --- Turkish (made here) ---
    Case("tr", "yangın", ("made:tr:1",)),
    Case("tr", "yangınlar", ("made:tr:1",)),
    Case("tr", "deprem", ("made:tr:2",)),
    Case("tr", "depremde", ("made:tr:2",)),
    Case("tr", "Kremlin", ("made:tr:3",)),
    Case("tr", "seçim", ("made:tr:4",)),
    Case("tr", "seçimler", ("made:tr:4",)),
    Case("tr", "rüzgar santralleri", ("made:tr:5",)),
    Case("tr", "ruzgar", ("made:tr:5",)),
    Case("tr", "köyler tahliye", ("made:tr:1",)),
    Case("tr", "Izmir", ("made:tr:1", "made:tr:5")),
    # --- English: the recorded sites ---
    Case("en", "airstrike", (SANA_EN,)),
    Case("en", "flood", (AA_FLOODS,)),
    Case("en", "satellite launch", (XINHUA_SATELLITES,)),
    Case("en", "wind farm", (AA_WIND,)),
    Case("en", "export", (IRNA_EXPORTS,)),
    Case("en", "Kremlin spokesman", (SANA_EN,)),
    Case("en", "tunnel boring", (IRNA_METRO,)),
    Case("en", "shipping routes Caspian", (TASS_CASPIAN,)),
    Case("en", "railway", (XINHUA_RAIL,)),
    Case("en", "temperature drops", (SANA_LOCAL,)),
    Case("en", "Kreml*", (SANA_EN,)),
    Case("en", "rains", (SANA_LOCAL, AA_FLOODS)),
    Case("en", '"Northern Sea Route"', (TASS_CARGO,)),
    # --- French (made here) ---
    Case("fr", "incendie", ("made:fr:1",)),
    Case("fr", "incendies de forêts", ("made:fr:1",)),
    Case("fr", "élection", ("made:fr:2",)),
    Case("fr", "election legislative", ("made:fr:2",)),
    Case("fr", "sanction", ("made:fr:3",)),
    Case("fr", "séismes", ("made:fr:4",)),
    Case("fr", "inondation", ("made:fr:5",)),
    Case("fr", "maison inondée", ("made:fr:5",)),
    Case("fr", "pompier", ("made:fr:1",)),
    # --- Spanish (made here) ---
    Case("es", "incendios", ("made:es:1",)),
    Case("es", "elección", ("made:es:2",)),
    Case("es", "elecciones regionales", ("made:es:2",)),
    Case("es", "terremotos", ("made:es:3",)),
    Case("es", "sismos", ("made:es:3",)),
    Case("es", "sanción", ("made:es:4",)),
    Case("es", "inundación", ("made:es:5",)),
    Case("es", "lluvia", ("made:es:5",)),
    Case("es", "vivienda", ("made:es:3",)),
    # --- German (made here) ---
    Case("de", "Waldbrände", ("made:de:1",)),
    Case("de", "Dorf", ("made:de:1",)),
    Case("de", "Wahlen", ("made:de:2",)),
    Case("de", "Sanktion", ("made:de:3",)),
    Case("de", "Hochwassers", ("made:de:4",)),
    Case("de", "Regenfall", ("made:de:4",)),
    Case("de", "überflutete Keller", ("made:de:4",)),
    Case("de", "Erdbeben", ("made:de:5",)),
    Case("de", "Turkei", ("made:de:5",)),
    Case("de", "Gebäude beschädigt", ("made:de:5",)),
)

# Written after the stemmers' Persian, Russian and Turkish rules were settled on CASES, and
# kept whatever they scored: the rules were not tuned on these.
HELD_OUT = (
    Case("ru", "субсидирование", (RIA_SUBSIDIES,)),
    Case("ru", "губернаторы", ("made:ru:3",)),
    Case("ru", "склады", ("made:ru:4",)),
    Case("ru", "Иркутск", ("made:ru:1",)),
    Case("ru", "возгорания", (RIA_FIRES, "made:ru:4")),
    Case("ar", "المنازل", ("made:ar:1", "made:ar:2")),
    Case("ar", "وزارة الداخلية", ("made:ar:4",)),
    Case("ar", "النفط", ("made:ar:3",)),
    Case("ar", "الأسلحة", ("made:ar:5",)),
    Case("ar", "المتحدثة", (SANA_AR,)),
    Case("fa", "خسارت", ("made:fa:1",)),
    Case("fa", "روستاها", ("made:fa:3", "made:fa:6")),
    Case("fa", "مشارکت", ("made:fa:6",)),
    Case("fa", "کشورها", ("made:fa:2", "made:fa:4", "made:fa:6")),
    Case("tr", "köprüler", ("made:tr:6",)),
    Case("tr", "helikopterler", ("made:tr:1",)),
    Case("tr", "sonuçlar", ("made:tr:4",)),
    Case("tr", "ihaleler", ("made:tr:5",)),
    Case("tr", "Peskov'un", ("made:tr:3",)),
    Case("en", "floods", (AA_FLOODS,)),
    Case("en", "commissions", (TASS_CASPIAN,)),
    Case("en", "exporting", (IRNA_EXPORTS,)),
    Case("en", "passenger", (IRNA_METRO,)),
    Case("en", "Zakharova", (SANA_EN,)),
    Case("fr", "pompiers mobilisés", ("made:fr:1",)),
    Case("fr", "rivière", ("made:fr:5",)),
    Case("fr", "européen", ("made:fr:3",)),
    Case("fr", "victimes", ("made:fr:4",)),
    Case("es", "incendio forestal", ("made:es:1",)),
    Case("es", "familia", ("made:es:5",)),
    Case("es", "sanciones", ("made:es:4",)),
    Case("es", "votación", ("made:es:2",)),
    Case("es", "víctima", ("made:es:3",)),
    Case("de", "Flamme", ("made:de:1",)),
    Case("de", "Gebäuden", ("made:de:5",)),
    Case("de", "Wahllokal", ("made:de:2",)),
    Case("de", "Regen", ("made:de:4",)),
    Case("de", "Dörfern", ("made:de:1",)),
)

LANGUAGES = ("ru", "ar", "fa", "tr", "en", "fr", "es", "de")
