/// The ICD-10 chapters (`first|last|中文|English`) and common 3-character categories
/// (`code|中文|English`) that ``ICD10`` parses once. Chapter ranges and English titles follow WHO
/// ICD-10 (2019); Chinese titles follow the Chinese edition's wording.
enum ICD10Data {
    static let chapters = """
        A00|B99|某些传染病和寄生虫病|Certain infectious and parasitic diseases
        C00|D48|肿瘤|Neoplasms
        D50|D89|血液及造血器官疾病和涉及免疫机制的某些疾患|Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism
        E00|E90|内分泌、营养和代谢疾病|Endocrine, nutritional and metabolic diseases
        F00|F99|精神和行为障碍|Mental and behavioural disorders
        G00|G99|神经系统疾病|Diseases of the nervous system
        H00|H59|眼和附器疾病|Diseases of the eye and adnexa
        H60|H95|耳和乳突疾病|Diseases of the ear and mastoid process
        I00|I99|循环系统疾病|Diseases of the circulatory system
        J00|J99|呼吸系统疾病|Diseases of the respiratory system
        K00|K93|消化系统疾病|Diseases of the digestive system
        L00|L99|皮肤和皮下组织疾病|Diseases of the skin and subcutaneous tissue
        M00|M99|肌肉骨骼系统和结缔组织疾病|Diseases of the musculoskeletal system and connective tissue
        N00|N99|泌尿生殖系统疾病|Diseases of the genitourinary system
        O00|O99|妊娠、分娩和产褥期|Pregnancy, childbirth and the puerperium
        P00|P96|起源于围生期的某些情况|Certain conditions originating in the perinatal period
        Q00|Q99|先天性畸形、变形和染色体异常|Congenital malformations, deformations and chromosomal abnormalities
        R00|R99|症状、体征和临床与实验室异常所见，不可归类在他处者|Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified
        S00|T98|损伤、中毒和外因的某些其他后果|Injury, poisoning and certain other consequences of external causes
        V01|Y98|疾病和死亡的外因|External causes of morbidity and mortality
        Z00|Z99|影响健康状态和与保健机构接触的因素|Factors influencing health status and contact with health services
        U00|U85|用于特殊目的的编码|Codes for special purposes
        """

    static let categories = """
        A00|霍乱|Cholera
        A01|伤寒和副伤寒|Typhoid and paratyphoid fevers
        A08|病毒性和其他特指的肠道感染|Viral and other specified intestinal infections
        A09|其他和未特指原因的胃肠炎和结肠炎|Other gastroenteritis and colitis of infectious and unspecified origin
        A15|呼吸道结核，经细菌学和组织学证实|Respiratory tuberculosis, bacteriologically and histologically confirmed
        A16|呼吸道结核，未经细菌学或组织学证实|Respiratory tuberculosis, not confirmed bacteriologically or histologically
        A41|其他败血症|Other sepsis
        B00|疱疹病毒[单纯疱疹]感染|Herpesviral [herpes simplex] infections
        B01|水痘|Varicella [chickenpox]
        B02|带状疱疹|Zoster [herpes zoster]
        B15|急性甲型肝炎|Acute hepatitis A
        B16|急性乙型肝炎|Acute hepatitis B
        B18|慢性病毒性肝炎|Chronic viral hepatitis
        B34|未特指部位的病毒性感染|Viral infection of unspecified site
        B35|皮肤真菌病|Dermatophytosis
        B37|念珠菌病|Candidiasis
        B67|棘球蚴病|Echinococcosis
        B86|疥疮|Scabies
        C15|食管恶性肿瘤|Malignant neoplasm of oesophagus
        C16|胃恶性肿瘤|Malignant neoplasm of stomach
        C18|结肠恶性肿瘤|Malignant neoplasm of colon
        C20|直肠恶性肿瘤|Malignant neoplasm of rectum
        C22|肝和肝内胆管恶性肿瘤|Malignant neoplasm of liver and intrahepatic bile ducts
        C25|胰恶性肿瘤|Malignant neoplasm of pancreas
        C34|支气管和肺恶性肿瘤|Malignant neoplasm of bronchus and lung
        C50|乳房恶性肿瘤|Malignant neoplasm of breast
        C53|子宫颈恶性肿瘤|Malignant neoplasm of cervix uteri
        C56|卵巢恶性肿瘤|Malignant neoplasm of ovary
        C61|前列腺恶性肿瘤|Malignant neoplasm of prostate
        C67|膀胱恶性肿瘤|Malignant neoplasm of bladder
        C71|脑恶性肿瘤|Malignant neoplasm of brain
        C73|甲状腺恶性肿瘤|Malignant neoplasm of thyroid gland
        C91|淋巴样白血病|Lymphoid leukaemia
        D17|良性脂肪瘤样肿瘤|Benign lipomatous neoplasm
        D24|乳房良性肿瘤|Benign neoplasm of breast
        D25|子宫平滑肌瘤|Leiomyoma of uterus
        D34|甲状腺良性肿瘤|Benign neoplasm of thyroid gland
        D50|缺铁性贫血|Iron deficiency anaemia
        D64|其他贫血|Other anaemias
        D69|紫癜和其他出血性情况|Purpura and other haemorrhagic conditions
        E03|其他甲状腺功能减退症|Other hypothyroidism
        E04|其他非毒性甲状腺肿|Other nontoxic goitre
        E05|甲状腺毒症[甲状腺功能亢进症]|Thyrotoxicosis [hyperthyroidism]
        E06|甲状腺炎|Thyroiditis
        E10|胰岛素依赖型糖尿病|Insulin-dependent diabetes mellitus
        E11|非胰岛素依赖型糖尿病|Non-insulin-dependent diabetes mellitus
        E14|未特指的糖尿病|Unspecified diabetes mellitus
        E55|维生素D缺乏|Vitamin D deficiency
        E63|其他营养缺乏|Other nutritional deficiencies
        E66|肥胖症|Obesity
        E78|脂蛋白代谢紊乱和其他脂血症|Disorders of lipoprotein metabolism and other lipidaemias
        E79|嘌呤和嘧啶代谢紊乱|Disorders of purine and pyrimidine metabolism
        E86|血容量不足|Volume depletion
        E87|体液、电解质和酸碱平衡的其他紊乱|Other disorders of fluid, electrolyte and acid-base balance
        F03|未特指的痴呆|Unspecified dementia
        F10|使用酒精引起的精神和行为障碍|Mental and behavioural disorders due to use of alcohol
        F20|精神分裂症|Schizophrenia
        F32|抑郁性发作|Depressive episode
        F41|其他焦虑障碍|Other anxiety disorders
        F45|躯体形式障碍|Somatoform disorders
        F51|非器质性睡眠障碍|Nonorganic sleep disorders
        G20|帕金森病|Parkinson disease
        G30|阿尔茨海默病|Alzheimer disease
        G40|癫痫|Epilepsy
        G43|偏头痛|Migraine
        G44|其他头痛综合征|Other headache syndromes
        G45|短暂性大脑缺血性发作和相关的综合征|Transient cerebral ischaemic attacks and related syndromes
        G47|睡眠障碍|Sleep disorders
        G51|面神经疾患|Facial nerve disorders
        G56|上肢单神经病|Mononeuropathies of upper limb
        H04|泪器疾患|Disorders of lacrimal system
        H10|结膜炎|Conjunctivitis
        H11|结膜的其他疾患|Other disorders of conjunctiva
        H25|老年性白内障|Senile cataract
        H26|其他白内障|Other cataract
        H35|其他视网膜疾患|Other retinal disorders
        H40|青光眼|Glaucoma
        H52|屈光和调节疾患|Disorders of refraction and accommodation
        H60|外耳炎|Otitis externa
        H61|外耳的其他疾患|Other disorders of external ear
        H65|非化脓性中耳炎|Nonsuppurative otitis media
        H66|化脓性和未特指的中耳炎|Suppurative and unspecified otitis media
        H81|前庭功能疾患|Disorders of vestibular function
        H91|其他听觉丧失|Other hearing loss
        H93|耳的其他疾患，不可归类在他处者|Other disorders of ear, not elsewhere classified
        I10|特发性（原发性）高血压|Essential (primary) hypertension
        I11|高血压心脏病|Hypertensive heart disease
        I20|心绞痛|Angina pectoris
        I21|急性心肌梗死|Acute myocardial infarction
        I25|慢性缺血性心脏病|Chronic ischaemic heart disease
        I26|肺栓塞|Pulmonary embolism
        I35|非风湿性主动脉瓣疾患|Nonrheumatic aortic valve disorders
        I48|心房纤颤和扑动|Atrial fibrillation and flutter
        I49|其他心律失常|Other cardiac arrhythmias
        I50|心力衰竭|Heart failure
        I61|脑内出血|Intracerebral haemorrhage
        I63|脑梗死|Cerebral infarction
        I64|脑卒中，未特指为出血或梗死|Stroke, not specified as haemorrhage or infarction
        I67|其他脑血管病|Other cerebrovascular diseases
        I69|脑血管病后遗症|Sequelae of cerebrovascular disease
        I70|动脉粥样硬化|Atherosclerosis
        I80|静脉炎和血栓性静脉炎|Phlebitis and thrombophlebitis
        I83|下肢静脉曲张|Varicose veins of lower extremities
        I95|低血压|Hypotension
        J00|急性鼻咽炎[感冒]|Acute nasopharyngitis [common cold]
        J01|急性鼻窦炎|Acute sinusitis
        J02|急性咽炎|Acute pharyngitis
        J03|急性扁桃体炎|Acute tonsillitis
        J04|急性喉炎和气管炎|Acute laryngitis and tracheitis
        J06|多发性和未特指部位的急性上呼吸道感染|Acute upper respiratory infections of multiple and unspecified sites
        J11|流行性感冒，病毒未标明|Influenza, virus not identified
        J12|病毒性肺炎，不可归类在他处者|Viral pneumonia, not elsewhere classified
        J15|细菌性肺炎，不可归类在他处者|Bacterial pneumonia, not elsewhere classified
        J18|肺炎，病原体未特指|Pneumonia, organism unspecified
        J20|急性支气管炎|Acute bronchitis
        J30|血管舒缩性和变应性鼻炎|Vasomotor and allergic rhinitis
        J31|慢性鼻炎、鼻咽炎和咽炎|Chronic rhinitis, nasopharyngitis and pharyngitis
        J32|慢性鼻窦炎|Chronic sinusitis
        J34|鼻和鼻窦的其他疾患|Other disorders of nose and nasal sinuses
        J35|扁桃体和腺样体慢性疾病|Chronic diseases of tonsils and adenoids
        J39|上呼吸道的其他疾病|Other diseases of upper respiratory tract
        J40|支气管炎，未特指为急性或慢性|Bronchitis, not specified as acute or chronic
        J42|未特指的慢性支气管炎|Unspecified chronic bronchitis
        J43|肺气肿|Emphysema
        J44|其他慢性阻塞性肺病|Other chronic obstructive pulmonary disease
        J45|哮喘|Asthma
        J47|支气管扩张|Bronchiectasis
        J84|其他间质性肺病|Other interstitial pulmonary diseases
        J90|胸腔积液，不可归类在他处者|Pleural effusion, not elsewhere classified
        J93|气胸|Pneumothorax
        J98|其他呼吸性疾患|Other respiratory disorders
        K02|龋|Dental caries
        K04|牙髓和根尖周组织疾病|Diseases of pulp and periapical tissues
        K05|龈炎和牙周疾病|Gingivitis and periodontal diseases
        K07|牙面畸形[包括错牙合]|Dentofacial anomalies [including malocclusion]
        K08|牙和支持结构的其他疾患|Other disorders of teeth and supporting structures
        K12|口炎和有关损害|Stomatitis and related lesions
        K21|胃-食管反流病|Gastro-oesophageal reflux disease
        K22|食管的其他疾病|Other diseases of oesophagus
        K25|胃溃疡|Gastric ulcer
        K26|十二指肠溃疡|Duodenal ulcer
        K29|胃炎和十二指肠炎|Gastritis and duodenitis
        K30|功能性消化不良|Functional dyspepsia
        K31|胃和十二指肠的其他疾病|Other diseases of stomach and duodenum
        K35|急性阑尾炎|Acute appendicitis
        K37|未特指的阑尾炎|Unspecified appendicitis
        K40|腹股沟疝|Inguinal hernia
        K42|脐疝|Umbilical hernia
        K52|其他非感染性胃肠炎和结肠炎|Other noninfective gastroenteritis and colitis
        K56|麻痹性肠梗阻和不伴有疝的肠梗阻|Paralytic ileus and intestinal obstruction without hernia
        K57|肠憩室病|Diverticular disease of intestine
        K58|肠易激综合征|Irritable bowel syndrome
        K59|其他功能性肠疾患|Other functional intestinal disorders
        K60|肛门和直肠区的裂和瘘|Fissure and fistula of anal and rectal regions
        K61|肛门和直肠区脓肿|Abscess of anal and rectal regions
        K63|肠的其他疾病|Other diseases of intestine
        K64|痔和肛周静脉血栓形成|Haemorrhoids and perianal venous thrombosis
        K70|酒精性肝病|Alcoholic liver disease
        K73|慢性肝炎，不可归类在他处者|Chronic hepatitis, not elsewhere classified
        K74|肝纤维化和肝硬化|Fibrosis and cirrhosis of liver
        K76|其他肝病|Other diseases of liver
        K80|胆石病|Cholelithiasis
        K81|胆囊炎|Cholecystitis
        K82|胆囊的其他疾病|Other diseases of gallbladder
        K83|胆道的其他疾病|Other diseases of biliary tract
        K85|急性胰腺炎|Acute pancreatitis
        K86|胰的其他疾病|Other diseases of pancreas
        K92|消化系统的其他疾病|Other diseases of digestive system
        L02|皮肤脓肿、疖和痈|Cutaneous abscess, furuncle and carbuncle
        L03|蜂窝织炎|Cellulitis
        L08|皮肤和皮下组织的其他局部感染|Other local infections of skin and subcutaneous tissue
        L20|特应性皮炎|Atopic dermatitis
        L21|脂溢性皮炎|Seborrhoeic dermatitis
        L23|变应性接触性皮炎|Allergic contact dermatitis
        L30|其他皮炎|Other dermatitis
        L40|银屑病|Psoriasis
        L50|荨麻疹|Urticaria
        L60|甲疾患|Nail disorders
        L70|痤疮|Acne
        L72|皮肤和皮下组织的毛囊囊肿|Follicular cysts of skin and subcutaneous tissue
        M05|血清反应阳性的类风湿性关节炎|Seropositive rheumatoid arthritis
        M06|其他类风湿性关节炎|Other rheumatoid arthritis
        M10|痛风|Gout
        M13|其他关节炎|Other arthritis
        M16|髋关节病|Coxarthrosis [arthrosis of hip]
        M17|膝关节病|Gonarthrosis [arthrosis of knee]
        M19|其他关节病|Other arthrosis
        M25|其他关节疾患，不可归类在他处者|Other joint disorders, not elsewhere classified
        M43|其他变形性背部病|Other deforming dorsopathies
        M47|脊椎关节强硬|Spondylosis
        M48|其他脊椎病|Other spondylopathies
        M50|颈椎间盘疾患|Cervical disc disorders
        M51|其他椎间盘疾患|Other intervertebral disc disorders
        M53|其他背部病，不可归类在他处者|Other dorsopathies, not elsewhere classified
        M54|背痛|Dorsalgia
        M62|其他肌肉疾患|Other disorders of muscle
        M65|滑膜炎和腱鞘炎|Synovitis and tenosynovitis
        M75|肩损害|Shoulder lesions
        M77|其他附着端病|Other enthesopathies
        M79|其他软组织疾患，不可归类在他处者|Other soft tissue disorders, not elsewhere classified
        M81|不伴有病理性骨折的骨质疏松|Osteoporosis without pathological fracture
        N10|急性肾小管-间质肾炎|Acute tubulo-interstitial nephritis
        N13|梗阻性和反流性尿路病|Obstructive and reflux uropathy
        N17|急性肾衰竭|Acute renal failure
        N18|慢性肾脏病|Chronic kidney disease
        N20|肾和输尿管结石|Calculus of kidney and ureter
        N23|未特指的肾绞痛|Unspecified renal colic
        N28|肾和输尿管的其他疾患，不可归类在他处者|Other disorders of kidney and ureter, not elsewhere classified
        N30|膀胱炎|Cystitis
        N39|泌尿系统的其他疾患|Other disorders of urinary system
        N40|前列腺增生|Hyperplasia of prostate
        N41|前列腺炎性疾病|Inflammatory diseases of prostate
        N60|良性乳腺发育不良|Benign mammary dysplasia
        N61|乳房炎性疾患|Inflammatory disorders of breast
        N63|乳房未特指的肿块|Unspecified lump in breast
        N70|输卵管炎和卵巢炎|Salpingitis and oophoritis
        N72|子宫颈炎性疾病|Inflammatory disease of cervix uteri
        N73|其他女性盆腔炎性疾病|Other female pelvic inflammatory diseases
        N76|阴道和外阴的其他炎症|Other inflammation of vagina and vulva
        N80|子宫内膜异位症|Endometriosis
        N83|卵巢、输卵管和阔韧带非炎性疾患|Noninflammatory disorders of ovary, fallopian tube and broad ligament
        N84|女性生殖道息肉|Polyp of female genital tract
        N92|月经过多、频繁和不规则|Excessive, frequent and irregular menstruation
        N95|绝经和其他绝经期前后疾患|Menopausal and other perimenopausal disorders
        N97|女性不孕症|Female infertility
        O03|自然流产|Spontaneous abortion
        O13|妊娠[妊娠引起的]高血压|Gestational [pregnancy-induced] hypertension
        O20|早期妊娠出血|Haemorrhage in early pregnancy
        O21|妊娠剧吐|Excessive vomiting in pregnancy
        O24|妊娠期糖尿病|Diabetes mellitus in pregnancy
        O47|假临产|False labour
        O80|单胎顺产|Single spontaneous delivery
        O82|经剖宫产术的单胎分娩|Single delivery by caesarean section
        O99|可归类在他处的母体其他疾病，但并发于妊娠、分娩和产褥期|Other maternal diseases classifiable elsewhere but complicating pregnancy, childbirth and the puerperium
        P07|与孕期短和低出生体重有关的疾患，不可归类在他处者|Disorders related to short gestation and low birth weight, not elsewhere classified
        P59|其他和未特指原因所致的新生儿黄疸|Neonatal jaundice from other and unspecified causes
        Q21|心间隔先天性畸形|Congenital malformations of cardiac septa
        R00|心搏异常|Abnormalities of heart beat
        R05|咳嗽|Cough
        R06|呼吸异常|Abnormalities of breathing
        R07|咽痛和胸痛|Pain in throat and chest
        R10|腹部和盆腔痛|Abdominal and pelvic pain
        R11|恶心和呕吐|Nausea and vomiting
        R19|涉及消化系统和腹部的其他症状和体征|Other symptoms and signs involving the digestive system and abdomen
        R31|未特指的血尿|Unspecified haematuria
        R42|头晕和眩晕|Dizziness and giddiness
        R50|其他原因的发热|Fever of other and unknown origin
        R51|头痛|Headache
        R53|不适和疲劳|Malaise and fatigue
        R63|与食物和液体摄入有关的症状和体征|Symptoms and signs concerning food and fluid intake
        R73|血糖水平升高|Elevated blood glucose level
        S00|头部浅表损伤|Superficial injury of head
        S01|头部开放性伤口|Open wound of head
        S06|颅内损伤|Intracranial injury
        S09|头部其他和未特指的损伤|Other and unspecified injuries of head
        S13|颈部关节和韧带脱位、扭伤和劳损|Dislocation, sprain and strain of joints and ligaments at neck level
        S22|肋骨、胸骨和胸部脊柱骨折|Fracture of rib(s), sternum and thoracic spine
        S32|腰部脊柱和骨盆骨折|Fracture of lumbar spine and pelvis
        S33|腰部脊柱和骨盆关节和韧带脱位、扭伤和劳损|Dislocation, sprain and strain of joints and ligaments of lumbar spine and pelvis
        S42|肩和上臂骨折|Fracture of shoulder and upper arm
        S43|肩胛带关节和韧带脱位、扭伤和劳损|Dislocation, sprain and strain of joints and ligaments of shoulder girdle
        S52|前臂骨折|Fracture of forearm
        S61|腕和手开放性伤口|Open wound of wrist and hand
        S62|腕和手水平的骨折|Fracture at wrist and hand level
        S72|股骨骨折|Fracture of femur
        S82|小腿（包括踝）骨折|Fracture of lower leg, including ankle
        S83|膝关节和韧带脱位、扭伤和劳损|Dislocation, sprain and strain of joints and ligaments of knee
        S93|踝和足水平的关节和韧带脱位、扭伤和劳损|Dislocation, sprain and strain of joints and ligaments at ankle and foot level
        T14|身体未特指部位的损伤|Injury of unspecified body region
        T15|外眼异物|Foreign body on external eye
        T30|烧伤和腐蚀伤，身体未特指部位|Burn and corrosion, body region unspecified
        T63|与有毒动物接触的毒性效应|Toxic effect of contact with venomous animals
        T67|热和光的效应|Effects of heat and light
        T78|有害效应，不可归类在他处者|Adverse effects, not elsewhere classified
        U07|紧急使用的U07|Emergency use of U07
        V89|机动或非机动车辆事故，车辆类型未特指|Motor- or nonmotor-vehicle accident, type of vehicle unspecified
        W19|未特指的跌倒|Unspecified fall
        Z00|无主诉或报告诊断的人的一般检查和调查|General examination and investigation of persons without complaint and reported diagnosis
        Z01|无主诉或报告诊断的人的其他特殊检查和调查|Other special examinations and investigation of persons without complaint or reported diagnosis
        Z02|为管理目的的检查和接触|Examination and encounter for administrative purposes
        Z03|对可疑疾病和情况的医疗观察和评价|Medical observation and evaluation for suspected diseases and conditions
        Z09|非恶性肿瘤情况治疗后的随诊检查|Follow-up examination after treatment for conditions other than malignant neoplasms
        Z10|特定分组人群的常规一般健康检查|Routine general health check-up of defined subpopulation
        Z12|肿瘤的特殊筛查|Special screening examination for neoplasms
        Z13|其他疾病和疾患的特殊筛查|Special screening examination for other diseases and disorders
        Z23|需要预防接种抗单一细菌性疾病|Need for immunization against single bacterial diseases
        Z24|需要预防接种抗某些单一病毒性疾病|Need for immunization against certain single viral diseases
        Z30|避孕措施的管理|Contraceptive management
        Z34|正常妊娠监督|Supervision of normal pregnancy
        Z39|产后医疗照顾和检查|Postpartum care and examination
        Z47|其他矫形外科的随诊医疗|Other orthopaedic follow-up care
        Z48|其他手术的随诊医疗|Other surgical follow-up care
        Z51|其他医疗照顾|Other medical care
        Z76|在其他情况下与保健机构的接触|Persons encountering health services in other circumstances
        Z95|存在心脏和血管植入物和移植物|Presence of cardiac and vascular implants and grafts
        Z96|存在其他功能性植入物|Presence of other functional implants
        """
}
