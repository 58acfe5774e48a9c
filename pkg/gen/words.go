package gen

// Word lists for realistic text. Names are written as "漢字 (Pinyin)" like
// the sample department; handles are surname.given in pinyin.

var surnames = []struct{ han, pinyin string }{
	{"王", "wang"}, {"李", "li"}, {"張", "zhang"}, {"劉", "liu"}, {"陳", "chen"},
	{"楊", "yang"}, {"黃", "huang"}, {"趙", "zhao"}, {"吳", "wu"}, {"周", "zhou"},
	{"徐", "xu"}, {"孫", "sun"}, {"馬", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
	{"郭", "guo"}, {"何", "he"}, {"林", "lin"}, {"高", "gao"}, {"羅", "luo"},
	{"鄭", "zheng"}, {"梁", "liang"}, {"謝", "xie"}, {"宋", "song"}, {"唐", "tang"},
}

var givenNames = []struct{ han, pinyin string }{
	{"偉", "wei"}, {"芳", "fang"}, {"敏", "min"}, {"靜", "jing"}, {"麗", "li"},
	{"強", "qiang"}, {"磊", "lei"}, {"洋", "yang"}, {"艷", "yan"}, {"勇", "yong"},
	{"軍", "jun"}, {"傑", "jie"}, {"娟", "juan"}, {"濤", "tao"}, {"明", "ming"},
	{"超", "chao"}, {"秀英", "xiuying"}, {"霞", "xia"}, {"平", "ping"}, {"剛", "gang"},
	{"浩", "hao"}, {"曉雨", "xiaoyu"}, {"建國", "jianguo"}, {"婷", "ting"}, {"鵬", "peng"},
	{"晨", "chen"}, {"欣", "xin"}, {"宇", "yu"}, {"佳怡", "jiayi"}, {"子涵", "zihan"},
}

var groups = []string{"華東推廣組", "華南推廣組", "客戶服務組", "華北推廣組", "電商運營組", "品牌推廣組", "會員運營組", "渠道拓展組"}

var devices = []string{"laptop", "desktop", "macbook", "thinkpad", "workstation", "office"}

var cities = []string{"杭州", "上海", "廣州", "深圳", "南京", "蘇州", "北京", "成都", "武漢", "廈門", "寧波", "長沙"}

var companyWords = []string{"青禾", "明遠", "恒豐", "嘉德", "華茂", "新源", "福瑞", "安泰", "盛世", "天成", "藍海", "金穗"}

var companyKinds = []string{"貿易有限公司", "商貿有限公司", "連鎖超市", "食品有限公司", "電子商務有限公司", "百貨有限公司"}

var segments = []string{"wholesale", "retail", "online", "enterprise", "distributor"}

var streets = []string{"文三路", "南京西路", "天河路", "深南大道", "中山路", "人民路", "解放路", "建設路"}

// Expense titles and items per category.
var expenseTitles = map[string][]string{
	"personnel": {"臨時促銷員勞務費", "客服外包加班費", "兼職主播勞務費", "節假日值班補貼", "Temporary staff wages"},
	"marketing": {"線上廣告投放", "門店物料印刷", "直播推廣服務費", "新品試吃活動", "KOL cooperation fee", "展會攤位費"},
	"office":    {"辦公用品採購", "打印機耗材", "會議室茶歇", "Office supplies", "辦公椅更換"},
	"travel":    {"客戶拜訪差旅", "經銷商大會差旅", "門店巡檢差旅", "Business trip to the trade fair", "市場調研差旅"},
	"training":  {"新人培訓教材", "直播技能培訓", "客服溝通課程", "Online course subscription", "管理培訓報名費"},
	"other":     {"客戶慰問水果", "快遞費", "樣品寄送", "Courier for samples", "節日禮品"},
}

var expenseItems = map[string][]string{
	"personnel": {"勞務費", "加班費", "值班補貼", "交通補貼"},
	"marketing": {"廣告費", "物料印刷", "場地費", "服務費", "贈品"},
	"office":    {"文具", "耗材", "茶歇", "辦公家具"},
	"travel":    {"高鐵票", "機票", "酒店", "市內交通", "餐費"},
	"training":  {"課程費", "教材", "場地費", "講師費"},
	"other":     {"快遞", "水果", "禮品", "雜費"},
}

// Complaint texts per category.
var complaintTitles = map[string][]string{
	"product":  {"產品包裝破損", "產品內有異物", "保質期標示不清", "Product arrived damaged", "口味與描述不符"},
	"service":  {"客服回覆太慢", "門店店員態度差", "退換貨流程繁瑣", "No reply from support", "會員積分未到賬"},
	"billing":  {"重複扣款", "發票開具錯誤", "優惠券未抵扣", "Charged twice for one order", "退款未到賬"},
	"delivery": {"到貨延遲", "送錯地址", "快遞丟件", "Late delivery", "冷鏈商品解凍"},
	"staff":    {"促銷員誤導宣傳", "送貨員態度惡劣", "Rude delivery driver", "門店人員未戴口罩"},
	"other":    {"企業團購諮詢", "合作意向諮詢", "Question about franchise", "活動規則諮詢"},
}

var rootCauses = []string{"承運商未按約定時效派車", "倉庫打包流程未執行二次檢查", "系統優惠券規則配置錯誤", "客服排班不足，高峰期積壓", "供應商批次質量問題", "門店培訓不到位", "The courier lost the parcel at the sorting centre"}

var solutions = []string{"補發商品並致歉", "退款並贈送優惠券", "協調備用承運商優先派送", "更正發票並重新寄送", "約談相關人員並加強培訓", "Refunded the order and sent a voucher"}

var preventions = []string{"打包環節增加抽檢", "每週覆核優惠券規則", "高峰期增加客服排班", "與承運商簽訂時效條款", "Monthly supplier quality review"}

var projectTitles = []string{"會員拉新計劃", "雙十一電商大促", "新品上市推廣", "經銷商渠道拓展", "門店煥新活動", "社群運營試點", "直播帶貨專項", "客戶滿意度提升", "Spring launch campaign", "Loyalty programme refresh"}

var objectives = []string{"擴大會員基數並提升復購率", "完成年度電商 GMV 目標", "提升新品市場佔有率", "拓展華東區經銷網絡", "提升客戶滿意度至 4.5 分以上", "Grow repeat purchases in the online channel"}

var kpis = []struct{ name, unit string }{
	{"new_members", "count"}, {"repurchase_rate", "percent"}, {"gmv", "cny"}, {"market_share", "percent"},
	{"new_distributors", "count"}, {"satisfaction", "score"},
}

var channels = []string{"store", "wechat", "mini_program", "livestream", "distributor", "weibo", "douyin", "email"}

var indicatorNames = []string{"銷售目標達成", "客戶投訴處理時效", "團隊協作", "經銷商維護", "活動執行質量", "數據分析", "Customer satisfaction", "Campaign delivery"}

var lessons = []string{"臨時人員需提前兩週到位並完成培訓", "倉儲峰值預估偏低", "Livestream scripts should be reviewed by legal one week ahead", "預算追加流程需提前啟動", "活動物料需預留一週緩衝"}
