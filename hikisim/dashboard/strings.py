"""Every string the page shows, in English, Japanese and Italian.

Keys are grouped by where they appear. ``{name}`` fields are filled in by
:func:`hikisim.dashboard.i18n.tr`. Programme labels are keyed ``prog_<registry name>``
and slider labels ``ctl_<control name>``.
"""

from __future__ import annotations

EN: dict[str, str] = {
    "news_lost_one": "1 tie was lost",
    "news_help_one": "1 family asked for help",
    "news_recovered_one": "1 person recovered",
    # page and sidebar
    "title": "hikisim: how withdrawal spreads, lasts and responds to help",
    "language": "Language",
    "scenario": "Scenario file",
    "restore_defaults": "Restore defaults",
    "reset": "Reset",
    "step": "Step",
    "play": "▶ Play",
    "pause": "⏸ Pause",
    "jump_1": "Jump 1 year",
    "jump_5": "Jump 5 years",
    "speed": "Speed",
    "speed_slow": "slow",
    "speed_normal": "normal",
    "speed_fast": "fast",
    "programmes": "Programmes",
    "risk_factors": "Risk factors",
    "advanced": "Advanced",
    "group_Family": "Family",
    "group_School": "School",
    "group_Sociocultural": "Society",
    "group_Individual": "Individual",
    "ctl_youths": "Number of youths",
    "ctl_seed": "Seed (a whole number from 0)",
    "ctl_burn_in_years": "Warm-up before week 0",
    "ctl_family__overprotection_share": "overprotective families",
    "ctl_family__neglect_share": "neglecting families",
    "ctl_family__expectation_gap_weight": "effect of high expectations",
    "ctl_school__pressure_weight": "effect of academic pressure",
    "ctl_school__climate_weight": "effect of a poor school climate",
    "ctl_society__social_cohesion": "community cohesion",
    "ctl_society__internet_penetration": "internet access",
    "ctl_family__stigma": "stigma of seeking help",
    "ctl_dynamics__peer_weight": "peer influence",
    "ctl_individual__trauma_prevalence": "youths with early trauma",
    "ctl_individual__introversion_weight": "effect of introversion",
    "unit_youths": "{n} youths",
    "unit_years": "{n} years",
    "unit_weight": "weight ×{n}",
    "unit_level": "level {n}",
    "unit_share": "{n} %",
    "busy_reset": "Building the town…",
    "busy_jump": "Simulating {n} weeks…",
    "picker_error": "This scenario file cannot be used: {error}",
    # status line
    "status_week": "Week {week} of {total} (year {year})",
    "status_scenario": "Scenario {name} · seed {seed} · {youths} youths",
    "status_programmes": "Programmes on: {names}",
    "status_no_programmes": "No programme switched on",
    "status_pending": "Changed settings wait for Reset",
    "status_finished": "The run has reached the end. Press Reset to run again.",
    "status_input_error": (
        "These settings cannot be used: {error}. Showing the scenario's defaults "
        "instead; fix the control and press Reset."
    ),
    "status_run_error": "Sorry, {error}. Press Reset to start again.",
    # views
    "explain": "What am I seeing?",
    "export_png": "PNG",
    "export_csv": "CSV",
    "view_network": "Who is connected to whom",
    "view_comparison": "With and without programmes",
    "view_timeseries": "Week by week",
    "view_episodes": "How long cases last",
    "axis_week": "week",
    "axis_youths": "youths",
    "axis_cases": "hikikomori cases",
    "axis_new_cases": "new cases since week 0",
    "axis_share": "share of youths",
    "axis_duration": "years the current episode has lasted",
    "empty_chart": "Press Step or ▶ Play: the chart fills week by week.",
    "legend_engaged": "engaged",
    "legend_at_risk": "at risk",
    "legend_withdrawn": "withdrawn",
    "legend_recovering": "recovering",
    "legend_tie": "tie",
    "legend_lost_tie": "lost tie",
    "legend_followed": "followed person and their ties",
    "legend_hikikomori": "hikikomori (15-39)",
    "legend_school_refusal": "school refusal (10-15)",
    "legend_internet_addiction": "internet addiction",
    "legend_sleep_reversal": "sleep reversal",
    "legend_primary": "primary (no disorder)",
    "legend_secondary": "secondary (with a disorder)",
    "legend_without": "without programmes",
    "legend_with": "with programmes",
    "legend_averted": "cases averted so far",
    "panel_states": "Youths not engaged",
    "panel_rates": "Shares of youths",
    "network_title": "Week {week}: {withdrawn} withdrawn, {lost} offline ties lost",
    "episodes_title": "{total} current cases, {secondary} % secondary",
    # comparison
    "no_programme": (
        "No programme is switched on. Tick one under 'Programmes' (or pick a scenario "
        "file such as comprehensive.toml) and press Reset to compare."
    ),
    "averted_sentence": (
        "This town, {weeks} weeks: **{cases}** cases and **{years}** person-years averted."
    ),
    "ensemble_running": "Running {n} more towns in the background to average out luck…",
    "ensemble_ready": "{n} more towns with other seeds are ready: step on to compare them.",
    "ensemble_sentence": (
        "{n} other towns: **{mean}** cases averted on average (from {low} to {high}, the "
        "shaded band)."
    ),
    "row_withdrawn": "withdrawn now",
    "row_cases": "hikikomori cases now",
    "row_new": "new cases so far",
    "row_years": "person-years in hikikomori",
    "row_help": "weeks of help given",
    "row_cost": "programme cost (thousand yen)",
    "col_without": "without",
    "col_with": "with",
    "col_difference": "difference",
    "table": "Running totals",
    # the story of one person
    "follow": "Follow someone who withdraws",
    "unfollow": "Stop following",
    "follow_hint": "Click a person in the network to follow them.",
    "nobody_to_follow": "Nobody is at risk or withdrawn yet; step on a few weeks.",
    "story_who": (
        # Counts after colons, so that one classmate never reads "1 classmates".
        "Following a {age}-year-old {sex}: {state}; siblings in the town: {siblings}; classmates "
        "in touch: {classmates}; others in touch: {friends}; lost touch: {lost}."
    ),
    "sex_boy": "boy",
    "sex_man": "man",
    "sex_girl": "girl",
    "sex_woman": "woman",
    "story_quiet": "{when}: nothing changed for the person you follow.",
    "story_at_risk": "they started skipping school or work",
    "story_withdrew": "they stopped going out",
    "story_recovering": "they began going out again",
    "story_engaged": "they are back to daily life",
    "story_lost": "{n} contacts lost touch",
    "story_lost_one": "1 contact lost touch",
    "story_help": "the family asked for help",
    "story_care": "care began",
    "story_week": "{when}: {events}.",
    "story_ended": "Week {week}: the run has ended.",
    "state_engaged": "engaged",
    "state_at_risk": "at risk",
    "state_withdrawn": "withdrawn",
    "state_recovering": "recovering",
    "when_week": "Week {week}",
    "when_weeks": "Weeks {first}–{last}",
    "news_week": "{when}: {events}.",
    "news_withdrew": "{n} people stopped going out",
    "news_withdrew_one": "a {age}-year-old stopped going out",
    "news_lost": "{n} ties were lost",
    "news_help": "{n} families asked for help",
    "news_recovered": "{n} recovered",
    "news_nothing": "a quiet week",
    "news_nothing_weeks": "quiet weeks",
}

JA: dict[str, str] = {
    "news_lost_one": "1 つのつながりが失われました",
    "news_help_one": "1 家族が相談しました",
    "news_recovered_one": "1 人が回復しました",
    "title": "hikisim:ひきこもりはどう広がり、続き、支援で変わるか",
    "language": "言語",
    "scenario": "シナリオファイル",
    "restore_defaults": "初期設定に戻す",
    "reset": "リセット",
    "step": "1週進む",
    "play": "▶ 再生",
    "pause": "⏸ 一時停止",
    "jump_1": "1年進む",
    "jump_5": "5年進む",
    "speed": "速さ",
    "speed_slow": "ゆっくり",
    "speed_normal": "ふつう",
    "speed_fast": "はやい",
    "programmes": "支援プログラム",
    "risk_factors": "リスク要因",
    "advanced": "詳細設定",
    "group_Family": "家族",
    "group_School": "学校",
    "group_Sociocultural": "社会",
    "group_Individual": "個人",
    "ctl_youths": "若者の人数",
    "ctl_seed": "シード(0 以上の整数)",
    "ctl_burn_in_years": "第0週までの準備期間",
    "ctl_family__overprotection_share": "過保護な家庭",
    "ctl_family__neglect_share": "ネグレクトの家庭",
    "ctl_family__expectation_gap_weight": "親の高い期待の影響",
    "ctl_school__pressure_weight": "学業プレッシャーの影響",
    "ctl_school__climate_weight": "学校の雰囲気の悪さの影響",
    "ctl_society__social_cohesion": "地域のつながり",
    "ctl_society__internet_penetration": "インターネットの普及",
    "ctl_family__stigma": "相談することへの偏見",
    "ctl_dynamics__peer_weight": "仲間からの影響",
    "ctl_individual__trauma_prevalence": "幼少期のトラウマがある若者",
    "ctl_individual__introversion_weight": "内向性の影響",
    "unit_youths": "{n} 人",
    "unit_years": "{n} 年",
    "unit_weight": "重み ×{n}",
    "unit_level": "レベル {n}",
    "unit_share": "{n} %",
    "busy_reset": "町をつくっています…",
    "busy_jump": "{n} 週をシミュレーション中…",
    "picker_error": "このシナリオファイルは使えません:{error}",
    "status_week": "第 {week} 週 / {total} 週(経過 {year} 年)",
    "status_scenario": "シナリオ {name} · シード {seed} · 若者 {youths} 人",
    "status_programmes": "実施中のプログラム:{names}",
    "status_no_programmes": "支援プログラムはありません",
    "status_pending": "変更した設定はリセットで反映されます",
    "status_finished": "最後まで進みました。もう一度はリセットを押してください。",
    "status_input_error": (
        "この設定は使えません:{error}。シナリオの初期値で表示しています。"
        "設定を直してリセットを押してください。"
    ),
    "status_run_error": "申し訳ありません。{error}。リセットで最初からやり直せます。",
    "explain": "この図の見方",
    "export_png": "PNG",
    "export_csv": "CSV",
    "view_network": "だれとだれがつながっているか",
    "view_comparison": "支援プログラムあり・なし",
    "view_timeseries": "週ごとの変化",
    "view_episodes": "ひきこもりの期間",
    "axis_week": "週",
    "axis_youths": "人数",
    "axis_cases": "ひきこもりの人数",
    "axis_new_cases": "第 0 週からの新しいケース",
    "axis_share": "若者に占める割合",
    "axis_duration": "今のひきこもりが続いている年数",
    "empty_chart": "「1週進む」か「▶ 再生」を押すと、週ごとにグラフが伸びます。",
    "legend_engaged": "社会参加",
    "legend_at_risk": "リスクあり",
    "legend_withdrawn": "ひきこもり状態",
    "legend_recovering": "回復中",
    "legend_tie": "つながり",
    "legend_lost_tie": "失われたつながり",
    "legend_followed": "注目している人とそのつながり",
    "legend_hikikomori": "ひきこもり(15〜39歳)",
    "legend_school_refusal": "不登校(10〜15歳)",
    "legend_internet_addiction": "ネット依存",
    "legend_sleep_reversal": "昼夜逆転",
    "legend_primary": "一次性(精神疾患なし)",
    "legend_secondary": "二次性(精神疾患あり)",
    "legend_without": "プログラムなし",
    "legend_with": "プログラムあり",
    "legend_averted": "防げたケース(累計)",
    "panel_states": "社会参加していない若者",
    "panel_rates": "若者に占める割合",
    "network_title": "第 {week} 週:ひきこもり状態 {withdrawn} 人、失われたつながり {lost}",
    "episodes_title": "現在のケース {total} 人、二次性 {secondary} %",
    "no_programme": (
        "支援プログラムがオンになっていません。「支援プログラム」で選ぶか"
        "(comprehensive.toml などのシナリオでも可)、リセットを押すと比べられます。"
    ),
    "averted_sentence": "この町({weeks} 週):**{cases}** ケースと **{years}** 人年を防ぎました。",
    "ensemble_running": "運の影響をならすため、別の町 {n} つを裏で計算しています…",
    "ensemble_ready": "別のシードの町 {n} つの準備ができました。進めると比べられます。",
    "ensemble_sentence": (
        "ほかの町 {n} つ:平均 **{mean}** ケースを防ぎました({low} 〜 {high}、影の帯)。"
    ),
    "row_withdrawn": "現在ひきこもり状態",
    "row_cases": "現在のひきこもり",
    "row_new": "これまでの新しいケース",
    "row_years": "ひきこもりの人年",
    "row_help": "支援した週数",
    "row_cost": "プログラム費用(千円)",
    "col_without": "なし",
    "col_with": "あり",
    "col_difference": "差",
    "table": "累計の表",
    "follow": "ひきこもる人を追いかける",
    "unfollow": "追いかけをやめる",
    "follow_hint": "ネットワークの点をクリックすると、その人を追いかけられます。",
    "nobody_to_follow": "まだリスクのある人もひきこもっている人もいません。数週進めてください。",
    "story_who": (
        "{age} 歳の{sex}を追いかけています:{state}。町にいるきょうだい {siblings} 人。"
        "連絡のある同級生 {classmates} 人とその他 {friends} 人、連絡が途絶えた人 {lost} 人。"
    ),
    "sex_boy": "男の子",
    "sex_man": "男性",
    "sex_girl": "女の子",
    "sex_woman": "女性",
    "story_quiet": "{when}:追いかけている人に変化はありません。",
    "story_at_risk": "この人は学校や仕事を休みはじめました",
    "story_withdrew": "この人は外出しなくなりました",
    "story_recovering": "この人はまた外に出はじめました",
    "story_engaged": "この人は日常生活に戻りました",
    "story_lost": "{n} 人と連絡が途絶えました",
    "story_lost_one": "1 人と連絡が途絶えました",
    "story_help": "家族が相談しました",
    "story_care": "支援が始まりました",
    "story_week": "{when}:{events}。",
    "story_ended": "第 {week} 週:シミュレーションは終わりました。",
    "state_engaged": "社会参加",
    "state_at_risk": "リスクあり",
    "state_withdrawn": "ひきこもり状態",
    "state_recovering": "回復中",
    "when_week": "第 {week} 週",
    "when_weeks": "第 {first}〜{last} 週",
    "news_week": "{when}:{events}。",
    "news_withdrew": "{n} 人が外出しなくなりました",
    "news_withdrew_one": "{age} 歳の人が外出しなくなりました",
    "news_lost": "{n} のつながりが失われました",
    "news_help": "{n} 家族が相談しました",
    "news_recovered": "{n} 人が回復しました",
    "news_nothing": "静かな一週間でした",
    "news_nothing_weeks": "静かな週が続きました",
}

IT: dict[str, str] = {
    "news_lost_one": "1 legame perso",
    "news_help_one": "1 famiglia ha chiesto aiuto",
    "news_recovered_one": "1 persona è tornata alla vita di tutti i giorni",
    "title": "hikisim: come il ritiro sociale si diffonde, dura e risponde all'aiuto",
    "language": "Lingua",
    "scenario": "File di scenario",
    "restore_defaults": "Ripristina i valori iniziali",
    "reset": "Ricomincia",
    "step": "Avanza",
    "play": "▶ Avvia",
    "pause": "⏸ Pausa",
    "jump_1": "Salta 1 anno",
    "jump_5": "Salta 5 anni",
    "speed": "Velocità",
    "speed_slow": "lenta",
    "speed_normal": "normale",
    "speed_fast": "veloce",
    "programmes": "Interventi",
    "risk_factors": "Fattori di rischio",
    "advanced": "Avanzate",
    "group_Family": "Famiglia",
    "group_School": "Scuola",
    "group_Sociocultural": "Società",
    "group_Individual": "Individuo",
    "ctl_youths": "Numero di giovani",
    "ctl_seed": "Seme (un numero intero da 0 in su)",
    "ctl_burn_in_years": "Riscaldamento prima della settimana 0",
    "ctl_family__overprotection_share": "famiglie iperprotettive",
    "ctl_family__neglect_share": "famiglie trascuranti",
    "ctl_family__expectation_gap_weight": "effetto delle aspettative alte",
    "ctl_school__pressure_weight": "effetto della pressione scolastica",
    "ctl_school__climate_weight": "effetto di un cattivo clima scolastico",
    "ctl_society__social_cohesion": "coesione della comunità",
    "ctl_society__internet_penetration": "accesso a internet",
    "ctl_family__stigma": "stigma nel chiedere aiuto",
    "ctl_dynamics__peer_weight": "influenza dei pari",
    "ctl_individual__trauma_prevalence": "giovani con traumi precoci",
    "ctl_individual__introversion_weight": "effetto dell'introversione",
    "unit_youths": "{n} giovani",
    "unit_years": "{n} anni",
    "unit_weight": "peso ×{n}",
    "unit_level": "livello {n}",
    "unit_share": "{n} %",
    "busy_reset": "Costruzione della città…",
    "busy_jump": "Simulazione di {n} settimane…",
    "picker_error": "Questo file di scenario non si può usare: {error}",
    "status_week": "Settimana {week} di {total} (anno {year})",
    "status_scenario": "Scenario {name} · seme {seed} · {youths} giovani",
    "status_programmes": "Interventi attivi: {names}",
    "status_no_programmes": "Nessun intervento attivo",
    "status_pending": "Le impostazioni cambiate attendono «Ricomincia»",
    "status_finished": "La simulazione è arrivata alla fine. Premi «Ricomincia» per rifarla.",
    "status_input_error": (
        "Queste impostazioni non si possono usare: {error}. Mostro i valori dello "
        "scenario; correggi il controllo e premi «Ricomincia»."
    ),
    "status_run_error": "Ci dispiace: {error}. Premi «Ricomincia» per ripartire.",
    "explain": "Che cosa sto guardando?",
    "export_png": "PNG",
    "export_csv": "CSV",
    "view_network": "Chi è legato a chi",
    "view_comparison": "Con e senza interventi",
    "view_timeseries": "Settimana per settimana",
    "view_episodes": "Quanto durano i casi",
    "axis_week": "settimana",
    "axis_youths": "giovani",
    "axis_cases": "casi di hikikomori",
    "axis_new_cases": "nuovi casi dalla settimana 0",
    "axis_share": "quota di giovani",
    "axis_duration": "anni di durata dell'episodio in corso",
    "empty_chart": "Premi «Avanza» o «▶ Avvia»: il grafico cresce settimana per settimana.",
    "legend_engaged": "inserito",
    "legend_at_risk": "a rischio",
    "legend_withdrawn": "ritirato",
    "legend_recovering": "in ripresa",
    "legend_tie": "legame",
    "legend_lost_tie": "legame perso",
    "legend_followed": "persona seguita e i suoi legami",
    "legend_hikikomori": "hikikomori (15-39 anni)",
    "legend_school_refusal": "rifiuto scolastico (10-15)",
    "legend_internet_addiction": "dipendenza da internet",
    "legend_sleep_reversal": "inversione sonno-veglia",
    "legend_primary": "primari (senza disturbo)",
    "legend_secondary": "secondari (con un disturbo)",
    "legend_without": "senza interventi",
    "legend_with": "con interventi",
    "legend_averted": "casi evitati finora",
    "panel_states": "Giovani non inseriti",
    "panel_rates": "Quote di giovani",
    "network_title": "Settimana {week}: {withdrawn} ritirati, {lost} legami persi",
    "episodes_title": "{total} casi in corso, {secondary} % secondari",
    "no_programme": (
        "Nessun intervento è attivo. Spuntane uno in «Interventi» (o scegli uno scenario "
        "come comprehensive.toml) e premi «Ricomincia» per confrontare."
    ),
    "averted_sentence": (
        "Questa città, {weeks} settimane: **{cases}** casi e **{years}** anni-persona evitati."
    ),
    "ensemble_running": "Simulo altre {n} città in sottofondo per togliere l'effetto del caso…",
    "ensemble_ready": "Altre {n} città con semi diversi sono pronte: avanza per confrontarle.",
    "ensemble_sentence": (
        "Altre {n} città: in media **{mean}** casi evitati (da {low} a {high}, la fascia "
        "ombreggiata)."
    ),
    "row_withdrawn": "ritirati ora",
    "row_cases": "casi di hikikomori ora",
    "row_new": "nuovi casi finora",
    "row_years": "anni-persona in hikikomori",
    "row_help": "settimane di aiuto date",
    "row_cost": "costo degli interventi (migliaia di yen)",
    "col_without": "senza",
    "col_with": "con",
    "col_difference": "differenza",
    "table": "Totali finora",
    "follow": "Segui qualcuno che si ritira",
    "unfollow": "Smetti di seguire",
    "follow_hint": "Fai clic su una persona nella rete per seguirla.",
    "nobody_to_follow": "Nessuno è ancora a rischio o ritirato; avanza di qualche settimana.",
    "story_who": (
        "Segui una persona di {age} anni ({sex}): {state}; fratelli e sorelle in città: "
        "{siblings}; compagni di classe in contatto: {classmates}, altri contatti: {friends}, "
        "contatti persi: {lost}."
    ),
    "sex_boy": "ragazzo",
    "sex_man": "uomo",
    "sex_girl": "ragazza",
    "sex_woman": "donna",
    "story_quiet": "{when}: nulla è cambiato per la persona che segui.",
    "story_at_risk": "ha iniziato a saltare scuola o lavoro",
    "story_withdrew": "ha smesso di uscire",
    "story_recovering": "ha ricominciato a uscire",
    "story_engaged": "è tornata alla vita di tutti i giorni",
    "story_lost": "{n} contatti si sono persi",
    "story_lost_one": "1 contatto si è perso",
    "story_help": "la famiglia ha chiesto aiuto",
    "story_care": "è iniziata una cura",
    "story_week": "{when}: {events}.",
    "story_ended": "Settimana {week}: la simulazione è finita.",
    "state_engaged": "inserita",
    "state_at_risk": "a rischio",
    "state_withdrawn": "ritirata",
    "state_recovering": "in ripresa",
    "when_week": "Settimana {week}",
    "when_weeks": "Settimane {first}–{last}",
    "news_week": "{when}: {events}.",
    "news_withdrew": "{n} persone hanno smesso di uscire",
    "news_withdrew_one": "una persona di {age} anni ha smesso di uscire",
    "news_lost": "{n} legami persi",
    "news_help": "{n} famiglie hanno chiesto aiuto",
    "news_recovered": "{n} persone sono tornate alla vita di tutti i giorni",
    "news_nothing": "una settimana tranquilla",
    "news_nothing_weeks": "settimane tranquille",
}

PROGRAMMES: dict[str, dict[str, str]] = {
    "en": {
        "ei_training": "Emotional-intelligence training",
        "family_therapy": "Family therapy",
        "home_visits": "Home visits and outreach",
        "medical_exam": "Medical exam",
        "online_therapy": "Online therapy",
        "parenting_course": "Parenting courses",
        "pet_therapy": "Pet-assisted therapy",
        "psychotherapy": "Psychotherapy",
        "social_farming": "Social farming",
    },
    "ja": {
        "ei_training": "感情知能のトレーニング",
        "family_therapy": "家族療法",
        "home_visits": "訪問支援(アウトリーチ)",
        "medical_exam": "医学的診察",
        "online_therapy": "オンライン療法",
        "parenting_course": "子育て講座",
        "pet_therapy": "動物介在療法",
        "psychotherapy": "心理療法",
        "social_farming": "ソーシャルファーミング",
    },
    "it": {
        "ei_training": "Educazione all'intelligenza emotiva",
        "family_therapy": "Terapia familiare",
        "home_visits": "Visite domiciliari",
        "medical_exam": "Visita medica",
        "online_therapy": "Terapia online",
        "parenting_course": "Corsi per genitori",
        "pet_therapy": "Pet therapy",
        "psychotherapy": "Psicoterapia",
        "social_farming": "Agricoltura sociale",
    },
}

EXPLANATIONS: dict[str, dict[str, str]] = {
    "en": {
        "status": (
            "Each step is one week in the lives of the town's young people. Change the "
            "controls on the left, then press **Reset** to start again with them; press "
            "**Step** for one week, **▶ Play** to watch, or jump a year or five."
        ),
        "network": (
            "Each dot is a young person; each small cluster is a class (one school year, or "
            "former classmates), youngest top left, oldest bottom right. Grey lines are ties "
            "to siblings and friends (classmates share their cluster; ties to neighbours and "
            "online ties are not drawn). Colours: sky blue engaged, orange at risk, black "
            "withdrawn, green recovering. Withdrawal spreads along the ties that are still "
            "there: the more of someone's contacts are at risk or withdrawn, the more likely "
            "they are to start withdrawing too. A withdrawn person slowly loses their offline "
            "ties (dashed purple lines). That leaves them more alone, but it also stops their "
            "withdrawal from weighing on the friends they lost. Click a dot, or press "
            "*Follow someone who withdraws*, to follow one person: their ties turn vermilion "
            "and the people they know are ringed."
        ),
        "timeseries": (
            "Left: how many young people are at risk, withdrawn or recovering, week by "
            "week. Right: the share with hikikomori (withdrawn at least six months, counted "
            "among ages 15 to 39, as the national surveys do) next to three warning signs: "
            "refusing school, internet addiction and sleeping by day."
        ),
        "episodes": (
            "Everyone who has hikikomori right now, grouped by how long it has lasted. Tall "
            "bars on the right mean that, once withdrawn, people stay withdrawn for years. "
            "*Secondary* cases also have a psychiatric disorder and need clinical care; "
            "*primary* cases do not, and need social support."
        ),
        "comparison": (
            "Two copies of the same town, with the same people and the same luck, run side "
            "by side: one with the programmes switched on and one without. The gap between "
            "them is what the programmes changed. One town is partly luck, so more towns "
            "with other seeds run in the background and their average is shown too."
        ),
    },
    "ja": {
        "status": (
            "1ステップは町の若者たちの1週間です。左の設定を変えて**リセット**を押すと、"
            "その設定で最初からやり直します。**1週進む**、**▶ 再生**、"
            "1年・5年のジャンプで進めます。"
        ),
        "network": (
            "点は一人ひとりの若者で、小さなまとまりは一つのクラス(同じ学年、または元同級生)です。"
            "左上がいちばん若く、右下がいちばん年上です。灰色の線はきょうだいや友人とのつながりです"
            "(同級生は同じまとまりの中にいます。近所やネットのつながりは描いていません)。"
            "水色は社会参加、オレンジはリスクあり、黒はひきこもり状態、緑は回復中です。"
            "ひきこもりは、まだ残っているつながりを通じて広がります。知り合いのうち、リスクのある"
            "人やひきこもっている人が多いほど、自分もひきこもりやすくなります。ひきこもった人は"
            "外でのつながりを少しずつ失います(紫の点線)。その人はより孤立しますが、つながりが"
            "切れた友人にはもう影響しなくなります。点をクリックするか"
            "「ひきこもる人を追いかける」を押すと、一人を追いかけられます。その人のつながりは"
            "朱色になり、知り合いには丸印がつきます。"
        ),
        "timeseries": (
            "左:リスクあり・ひきこもり状態・回復中の人数の週ごとの変化。右:ひきこもり"
            "(6か月以上、全国調査と同じく15〜39歳で数えたもの)の割合と、不登校・"
            "ネット依存・昼夜逆転という3つのサインの割合。"
        ),
        "episodes": (
            "いまひきこもっている人を、続いている期間ごとに分けたものです。右の棒が高いほど、"
            "一度ひきこもると何年も続くことを示します。*二次性*は精神疾患をともない医療が必要で、"
            "*一次性*は疾患がなく社会的な支援が必要です。"
        ),
        "comparison": (
            "同じ人々・同じ運をもつ同じ町を2つ並べて動かします。一方は支援プログラムあり、"
            "もう一方はなしです。その差がプログラムの効果です。1つの町には運の要素もあるので、"
            "別のシードの町を裏で計算し、その平均も示します。"
        ),
    },
    "it": {
        "status": (
            "Ogni passo è una settimana nella vita dei giovani della città. Cambia i "
            "controlli a sinistra, poi premi **Ricomincia** per ripartire con quelli; "
            "**Avanza** fa una settimana, **▶ Avvia** fa scorrere il tempo, oppure salta "
            "di uno o cinque anni."
        ),
        "network": (
            "Ogni punto è un giovane; ogni piccolo gruppo è una classe (uno stesso anno di "
            "scuola, o ex compagni), dai più giovani in alto a sinistra ai più grandi in basso "
            "a destra. Le linee grigie sono legami con fratelli e amici (i compagni di classe "
            "stanno nello stesso gruppo; i legami con i vicini e quelli online non sono "
            "disegnati). I colori: azzurro inserito, arancione a rischio, nero ritirato, verde "
            "in ripresa. Il ritiro si diffonde attraverso i legami ancora attivi: più contatti "
            "di una persona sono a rischio o ritirati, più è probabile che anche lei cominci a "
            "ritirarsi. Chi si ritira perde a poco a poco i legami di persona (linee viola "
            "tratteggiate): resta più solo, ma il suo ritiro non pesa più sugli amici che ha "
            "perso. Fai clic su un punto, o su *Segui qualcuno che si ritira*, per seguire una "
            "persona: i suoi legami diventano color vermiglio e le persone che conosce sono "
            "cerchiate."
        ),
        "timeseries": (
            "A sinistra: quanti giovani sono a rischio, ritirati o in ripresa, settimana "
            "per settimana. A destra: la quota di hikikomori (ritirati da almeno sei mesi, "
            "contati tra i 15 e i 39 anni come nelle indagini nazionali) e tre segnali: "
            "rifiuto scolastico, dipendenza da internet e sonno di giorno."
        ),
        "episodes": (
            "Tutti i casi di hikikomori in corso, raggruppati per durata. Barre alte a "
            "destra vogliono dire che chi si ritira resta ritirato per anni. I casi "
            "*secondari* hanno anche un disturbo psichiatrico e richiedono cure cliniche; "
            "quelli *primari* no, e richiedono sostegno sociale."
        ),
        "comparison": (
            "Due copie della stessa città, con le stesse persone e la stessa fortuna, "
            "affiancate: una con gli interventi attivi e una senza. La differenza è ciò che "
            "gli interventi hanno cambiato. Una sola città dipende anche dal caso, quindi "
            "altre città con semi diversi girano in sottofondo e ne mostriamo la media."
        ),
    },
}

STRINGS: dict[str, dict[str, str]] = {"en": EN, "ja": JA, "it": IT}
