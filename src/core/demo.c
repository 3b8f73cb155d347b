/* demo.c - `ispbill demo`: fill one tenant with realistic generated data.
 *
 * Kenyan hotspot guests ("Guest 5364", phone 254795635364, a phone's random
 * MAC) buying 5-minute to 7-day passes with M-Pesa; Kenyan and Bangladeshi
 * PPPoE customers on monthly plans with invoices (INV-YYYYMM-NNNN) and their
 * payments (PAY-YYYYMM-NNNN: M-Pesa, bKash, Nagad, cash, bank transfers);
 * tickets with replies, leads.  Everything is made by set-based SQL over
 * MariaDB's sequence tables (seq_1_to_N) with choices derived from CRC32 of
 * the row number, staged in temporary tables, in one transaction.  Money is
 * integer cents until it is stored.  Numbers continue the tenant's
 * number_counters and leave them at the highest number used. */
#include "config.h"
#include "core/demo.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- word lists (demo_word: list, k, w) ---- */

static const char *const ke_first[] = {
	"Grace", "Brian", "Mercy", "Kevin", "Faith", "Dennis", "Esther", "Peter", "Mary",
	"John", "Joyce", "Collins", "Wanjiku", "Njeri", "Wambui", "Muthoni", "Wairimu",
	"Nyambura", "Achieng", "Akinyi", "Awino", "Adhiambo", "Chebet", "Jepkosgei",
	"Chepkoech", "Jeptoo", "Kiprop", "Kibet", "Baraka", "Zawadi", "Juma", "Amani",
	"Imani", "Neema", "Halima", "Faraja", "Rehema", "Bahati", "Otieno", "Kamau",
};
static const char *const ke_last[] = {
	"Kamau", "Mwangi", "Njoroge", "Kariuki", "Githinji", "Waweru", "Maina", "Kimani",
	"Ndungu", "Wanjiru", "Otieno", "Odhiambo", "Onyango", "Ochieng", "Ouma", "Okoth",
	"Owino", "Omondi", "Kiprotich", "Kipkemboi", "Rotich", "Koech", "Cheruiyot", "Kirui",
	"Langat", "Kiptoo", "Mutua", "Musyoka", "Wekesa", "Wafula", "Barasa", "Juma",
	"Hassan", "Mohamed", "Mwakio", "Nyaga", "Kilonzo", "Chege",
};
static const char *const bd_first[] = {
	"Md. Rahim", "Abdul Karim", "Fatema", "Ayesha", "Nusrat", "Tahmina", "Sabbir",
	"Rafiqul", "Shakib", "Mahmudul", "Arifur", "Sumaiya", "Farhana", "Tanvir",
	"Jannatul", "Mim", "Rubel", "Sohel", "Anika", "Riya", "Sourav", "Priya", "Tanjila",
	"Imran", "Nazmul", "Rakib", "Sadia", "Shirin", "Mehedi", "Habibur", "Kamrul",
	"Nasrin", "Shapla", "Taslima", "Joynal", "Masud", "Ripon", "Shuvo", "Mithila", "Abir",
};
static const char *const bd_last[] = {
	"Hossain", "Rahman", "Islam", "Ahmed", "Chowdhury", "Khan", "Uddin", "Akter",
	"Begum", "Sarker", "Das", "Roy", "Miah", "Sheikh", "Talukder", "Biswas", "Haque",
	"Alam", "Mondal", "Bhuiyan", "Siddique", "Kabir", "Karim", "Saha", "Paul", "Dey",
	"Molla", "Howlader", "Sultana", "Khatun",
};
static const char *const est_nbi[] = {
	"Kilimani", "Westlands", "Kileleshwa", "Lavington", "South B", "South C", "Embakasi",
	"Kasarani", "Roysambu", "Ruaka", "Kahawa West", "Donholm", "Umoja", "Rongai",
	"Lang'ata", "Parklands",
};
static const char *const est_msa[] = {
	"Nyali", "Bamburi", "Kizingo", "Tudor", "Mtwapa", "Likoni", "Shanzu",
};
static const char *const est_ksm[] = {
	"Milimani", "Nyalenda", "Mamboleo", "Kondele", "Riat", "Tom Mboya",
};
static const char *const est_nkr[] = {
	"Section 58", "Milimani", "Lanet", "Free Area", "Shabab", "Kiamunyi",
};
static const char *const ke_road[] = {
	"Ngong Rd", "Argwings Kodhek Rd", "Jogoo Rd", "Thika Rd", "Waiyaki Way",
	"Mombasa Rd", "Langata Rd", "Kiambu Rd", "Lenana Rd", "Moi Avenue", "Oginga Odinga St",
	"Kenyatta Avenue",
};
static const char *const ke_biz[] = {
	"Enterprises Ltd", "Traders", "Agencies Ltd", "Hardware", "Supermarket", "Pharmacy",
	"Cyber Cafe", "Logistics Ltd", "Investments Ltd", "Academy",
};
static const char *const bd_biz[] = {
	"Enterprise", "Traders", "Telecom", "Pharmacy", "Store", "Textiles Ltd", "Agro Ltd",
	"Trading Corporation",
};
static const char *const mail_dom[] = {
	"gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
};
static const char *const cust_note[] = {
	"Prefers SMS reminders", "Call before visiting", "Referred by a neighbour",
	"Router supplied by the ISP", "Pays after salary, around the 5th",
	"Second connection at the shop", "Fibre drop installed on the rooftop",
};
/* category|subject|description */
static const char *const tkt_ke[] = {
	"technical|Internet keeps disconnecting|"
	"The connection drops every few minutes since yesterday evening.",
	"technical|Slow speeds in the evening|Speed test shows under 2 Mbps between 8 pm and 11 pm.",
	"technical|Router LOS light is red|The ONU shows a red LOS light and there is no internet.",
	"technical|Hotspot login page not loading|"
	"The phone joins the Wi-Fi but the login page does not open.",
	"billing|M-Pesa payment not reflected|Paid through M-Pesa but the account still shows expired.",
	"billing|Invoice amount query|This month's invoice is higher than the package price.",
	"account|Request to upgrade plan|I would like to move to a faster package.",
	"account|Change PPPoE password|Please reset the PPPoE password for my router.",
	"general|Relocation of service|Moving house next month; can the connection be moved?",
};
static const char *const tkt_bd[] = {
	"technical|Internet keeps disconnecting|Line drops many times a day, especially after rain.",
	"technical|Slow speeds at night|Facebook and YouTube are very slow after 9 pm.",
	"technical|ONU power light off|The ONU does not power on since the load shedding.",
	"billing|bKash payment not applied|"
	"Sent the monthly bill by bKash but the line is still suspended.",
	"billing|Nagad payment not applied|Paid by Nagad, the transaction ID is in the message.",
	"billing|Invoice amount query|Why is VAT added to my bill this month?",
	"account|Request to upgrade plan|Want to upgrade to a 40 Mbps package.",
	"account|Change PPPoE password|Please change my PPPoE password.",
	"general|Shift connection to new flat|Moving to a new flat in the same area.",
};
static const char *const reply_staff[] = {
	"Thank you for reaching out. We are checking your connection from our side.",
	"We have restarted your session on the router; please reconnect and confirm.",
	"A technician has been scheduled to visit you tomorrow between 10 am and 1 pm.",
	"The payment has been matched to your account and the service is restored.",
	"We found a fibre cut in your area; the team is working on it.",
	"Your plan change has been applied and takes effect immediately.",
};
static const char *const reply_cust[] = {
	"Still not working since morning.", "It is working now, thank you.",
	"The technician did not come yet.", "Please call me on this number.",
	"I have sent the transaction message again.", "Speed is better today.",
};
static const char *const reply_note[] = {
	"Escalated to NOC: optical power at the ONU is -28 dBm.",
	"Checked RADIUS logs: repeated PPPoE authentication failures.",
	"Payment found under a different account number; moved.",
	"Customer has an old router; suggested an upgrade.",
	"Area outage ticket linked; no individual fault.",
};
static const char *const lead_src[] = {
	"website", "referral", "facebook", "walk_in", "whatsapp", "flyer", "google",
};
static const char *const lead_note[] = {
	"Interested in home fibre", "Asked for a business quote", "Wants a hotspot for a cafe",
	"Comparing prices with another provider", "Call back after the end of the month",
	"Needs a static IP for CCTV", "Building has no fibre yet; site survey needed",
};

struct wordlist {
	const char *key;                /* demo_word.list, and the {KEY} size token */
	const char *const *w;
	size_t n;
};

#define WL(k, a) { k, a, sizeof(a) / sizeof(a[0]) }
static const struct wordlist wordlists[] = {
	WL("KEF", ke_first), WL("KEL", ke_last), WL("BDF", bd_first), WL("BDL", bd_last),
	WL("ESTNBI", est_nbi), WL("ESTMSA", est_msa), WL("ESTKSM", est_ksm),
	WL("ESTNKR", est_nkr), WL("KEROAD", ke_road), WL("KEBIZ", ke_biz),
	WL("BDBIZ", bd_biz), WL("MAIL", mail_dom), WL("CNOTE", cust_note),
	WL("TKTKE", tkt_ke), WL("TKTBD", tkt_bd), WL("RSTAFF", reply_staff),
	WL("RCUST", reply_cust), WL("RNOTE", reply_note), WL("LSRC", lead_src),
	WL("LNOTE", lead_note),
};

/* Bangladesh places used when the locations tables are empty:
 * thana, district, division (as the bd-geo data spells it), postcode. */
static const char *const bd_places[][4] = {
	{ "Mirpur", "Dhaka", "Dhaka", "1216" }, { "Uttara", "Dhaka", "Dhaka", "1230" },
	{ "Dhanmondi", "Dhaka", "Dhaka", "1209" }, { "Mohammadpur", "Dhaka", "Dhaka", "1207" },
	{ "Savar", "Dhaka", "Dhaka", "1340" }, { "Tongi", "Gazipur", "Dhaka", "1710" },
	{ "Fatullah", "Narayanganj", "Dhaka", "1421" },
	{ "Double Mooring", "Chattogram", "Chattagram", "4100" },
	{ "Panchlaish", "Chattogram", "Chattagram", "4203" },
	{ "Kotwali", "Sylhet", "Sylhet", "3100" }, { "Boalia", "Rajshahi", "Rajshahi", "6100" },
	{ "Sonadanga", "Khulna", "Khulna", "9100" },
};

/* ---- routers and plans ---- */

struct router_spec {
	const char *rkey;       /* how customers find it: HS<city>, PP<city>, BD<n> */
	const char *name, *description, *host;
	int api_port, use_tls;
	const char *status;
	int seen_ago;           /* seconds; -1: never */
	const char *location, *coordinates, *notes;
};

static const struct router_spec routers[] = {
	{ "HS1", "Westlands Guest Hotspot", "Hotspot for guests: M-Pesa passes", "10.20.1.1",
	  8728, 0, "online", 12, "Westlands, Nairobi, Kenya", "-1.2676,36.8108", NULL },
	{ "HS2", "Nyali Beach Hotspot", "Hotspot for guests: M-Pesa passes", "10.20.2.1",
	  8728, 0, "online", 25, "Nyali, Mombasa, Kenya", "-4.0435,39.7087", NULL },
	{ "PP1", "Kilimani PPPoE Core", "PPPoE concentrator for Nairobi home and business fibre",
	  "10.30.1.1", 8729, 1, "online", 8, "Kilimani, Nairobi, Kenya", "-1.2921,36.7830", NULL },
	{ "PP3", "Kisumu Milimani PPPoE", "PPPoE for Kisumu", "10.30.3.1", 8728, 0, "online", 40,
	  "Milimani, Kisumu, Kenya", "-0.1022,34.7617", NULL },
	{ "PP4", "Nakuru Section 58 PPPoE", "PPPoE for Nakuru", "10.30.4.1", 8728, 0,
	  "maintenance", 1800, "Section 58, Nakuru, Kenya", "-0.2827,36.0800",
	  "Replacing the CCR1036 with a CCR2116" },
	{ "BD1", "Savar PPPoE", "PPPoE for Dhaka division", "10.40.1.1", 8728, 0, "online", 5,
	  "Savar, Dhaka, Bangladesh", "23.8583,90.2667", NULL },
	{ "BD2", "Agrabad PPPoE", "PPPoE for Chattogram division", "10.40.2.1", 8728, 0,
	  "online", 18, "Agrabad, Chattogram, Bangladesh", "22.3260,91.8123", NULL },
	{ "BD3", "Zindabazar PPPoE", "PPPoE for Sylhet division", "10.40.3.1", 8728, 0,
	  "offline", 10800, "Zindabazar, Sylhet, Bangladesh", "24.8949,91.8687",
	  "Upstream link down since the storm" },
};

struct plan_spec {
	int grp;                /* 1 Kenyan hotspot, 2 Kenyan PPPoE, 3 Bangladesh PPPoE */
	int lo, hi;             /* share of the group's customers: [lo, hi) of 100 */
	const char *name, *description, *ctype;
	int down, up;           /* mbps */
	int quota;              /* 0: unlimited, else GB */
	int dur_value;
	const char *dur_unit;   /* hotspot passes */
	long long price_c, setup_c;
	const char *profile;
	int featured, popular;
	const char *features;   /* JSON */
};

static const struct plan_spec plans[] = {
	{ 1, 0, 20, "5 Minutes Test Plan", "Try the hotspot (KES)", "hotspot", 2, 1, 0, 5,
	  "minutes", 1000, 0, "hs-5m", 0, 0, "[\"5 minutes\",\"2 Mbps\"]" },
	{ 1, 20, 40, "30 Minutes", "Half an hour of browsing (KES)", "hotspot", 3, 1, 0, 30,
	  "minutes", 2000, 0, "hs-30m", 0, 0, "[\"30 minutes\",\"3 Mbps\"]" },
	{ 1, 40, 70, "1 Hour Pass", "One hour, pay with M-Pesa (KES)", "hotspot", 5, 2, 0, 1,
	  "hours", 5000, 0, "hs-1h", 1, 1, "[\"1 hour\",\"5 Mbps\",\"M-Pesa\"]" },
	{ 1, 70, 90, "1 Day", "24 hours of unlimited browsing (KES)", "hotspot", 5, 2, 0, 1,
	  "days", 10000, 0, "hs-1d", 0, 1, "[\"24 hours\",\"5 Mbps\"]" },
	{ 1, 90, 100, "7 Days", "A week of hotspot access (KES)", "hotspot", 5, 2, 0, 7,
	  "days", 50000, 0, "hs-7d", 0, 0, "[\"7 days\",\"5 Mbps\"]" },
	{ 2, 0, 15, "Home Lite 5 Mbps", "Home fibre with 150 GB a month (KES)", "pppoe", 5, 2,
	  150, 0, NULL, 150000, 100000, "pppoe-5m", 0, 0, "[\"150 GB\",\"Free router\"]" },
	{ 2, 15, 50, "Home 10 Mbps", "Unlimited home fibre (KES)", "pppoe", 10, 5, 0, 0, NULL,
	  250000, 150000, "pppoe-10m", 1, 1, "[\"Unlimited data\",\"Free router\",\"24/7 support\"]" },
	{ 2, 50, 75, "Home 20 Mbps", "Unlimited home fibre (KES)", "pppoe", 20, 10, 0, 0, NULL,
	  350000, 150000, "pppoe-20m", 0, 1, "[\"Unlimited data\",\"Free router\"]" },
	{ 2, 75, 87, "Home 40 Mbps", "Unlimited home fibre for streaming (KES)", "pppoe", 40,
	  20, 0, 0, NULL, 550000, 150000, "pppoe-40m", 0, 0, "[\"Unlimited data\",\"Wi-Fi 6 router\"]" },
	{ 2, 87, 97, "Business 50 Mbps", "Business fibre with SLA (KES)", "pppoe", 50, 50, 0, 0,
	  NULL, 950000, 500000, "biz-50m", 0, 0,
	  "[\"Unlimited data\",\"SLA 99.5%\",\"Static IP on request\"]" },
	{ 2, 97, 100, "Business 100 Mbps", "Dedicated business fibre (KES)", "pppoe", 100, 100,
	  0, 0, NULL, 1500000, 500000, "biz-100m", 0, 0,
	  "[\"Unlimited data\",\"SLA 99.9%\",\"Static IP\"]" },
	{ 3, 0, 25, "BD Basic 10 Mbps", "Home broadband (BDT)", "pppoe", 10, 10, 0, 0, NULL,
	  52500, 50000, "bd-10m", 0, 0, "[\"Unlimited data\",\"BDIX 50 Mbps\"]" },
	{ 3, 25, 60, "BD Standard 20 Mbps", "Home broadband (BDT)", "pppoe", 20, 20, 0, 0, NULL,
	  80000, 50000, "bd-20m", 1, 1, "[\"Unlimited data\",\"BDIX 100 Mbps\"]" },
	{ 3, 60, 85, "BD Premium 40 Mbps", "Home broadband (BDT)", "pppoe", 40, 40, 0, 0, NULL,
	  105000, 50000, "bd-40m", 0, 1, "[\"Unlimited data\",\"BDIX 200 Mbps\"]" },
	{ 3, 85, 95, "BD Ultra 80 Mbps", "Home broadband (BDT)", "pppoe", 80, 80, 0, 0, NULL,
	  150000, 50000, "bd-80m", 0, 0, "[\"Unlimited data\",\"BDIX 400 Mbps\"]" },
	{ 3, 95, 100, "BD Corporate 100 Mbps", "Corporate broadband with real IP (BDT)", "pppoe",
	  100, 100, 0, 0, NULL, 500000, 200000, "bd-corp-100m", 0, 0,
	  "[\"Unlimited data\",\"Real IP\"]" },
};

/* ---- the generator's state: tokens {NAME} in the SQL below ---- */

#define MAX_VARS 64

struct gen {
	struct db *db;
	struct arena a;
	struct buf sql;
	const struct demo_opts *o;
	char *err;
	size_t errlen;
	struct { char name[16]; char val[64]; } var[MAX_VARS];
	int nvar;
	double t0;
};

static void
setvar(struct gen *g, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
setvar(struct gen *g, const char *name, const char *fmt, ...)
{
	va_list ap;
	int i;

	for (i = 0; i < g->nvar; i++)
		if (strcmp(g->var[i].name, name) == 0)
			break;
	if (i == g->nvar) {
		if (g->nvar == MAX_VARS)
			return;
		g->nvar++;
		snprintf(g->var[i].name, sizeof(g->var[i].name), "%s", name);
	}
	va_start(ap, fmt);
	vsnprintf(g->var[i].val, sizeof(g->var[i].val), fmt, ap);
	va_end(ap);
}

static void
setint(struct gen *g, const char *name, long long v)
{
	setvar(g, name, "%lld", v);
}

/* Replace {NAME} (a letter, then letters, digits, _) by its value; other
 * braces (REGEXP counts) stay.  -1 for an unknown name: a bug here. */
static int
expand(struct gen *g, const char *tmpl)
{
	const char *p = tmpl;

	buf_reset(&g->sql);
	while (*p) {
		const char *q;

		if (*p != '{' || !isalpha((unsigned char)p[1])) {
			buf_putc(&g->sql, *p++);
			continue;
		}
		for (q = p + 1; isalnum((unsigned char)*q) || *q == '_'; q++)
			;
		if (*q != '}') {
			buf_putc(&g->sql, *p++);
			continue;
		}
		{
			size_t n = (size_t)(q - p - 1);
			int i;

			for (i = 0; i < g->nvar; i++)
				if (strlen(g->var[i].name) == n && memcmp(g->var[i].name, p + 1, n) == 0)
					break;
			if (i == g->nvar) {
				snprintf(g->err, g->errlen, "internal error: unknown token {%.*s}", (int)n, p + 1);
				return -1;
			}
			buf_puts(&g->sql, g->var[i].val);
		}
		p = q + 1;
	}
	buf_cstr(&g->sql);
	return 0;
}

static void
step_done(struct gen *g, const char *step, long long rows, double since)
{
	if (g->o->progress)
		g->o->progress(g->o->arg, step, rows, (time_mono_ms() - since) / 1000.0);
}

/* Run one statement; rows (may be NULL) gets the affected rows. */
static int
run(struct gen *g, const char *step, const char *tmpl, long long *rows)
{
	double t = time_mono_ms();
	long long n;

	if (expand(g, tmpl) < 0)
		return -1;
	if (db_exec(g->db, g->sql.data) < 0) {
		snprintf(g->err, g->errlen, "%s: %s (error %u)", step, g->db->errmsg, g->db->err);
		return -1;
	}
	n = (long long)mysql_affected_rows(g->db->conn);
	if (rows)
		*rows = n;
	if (step[0] != '-')     /* "-...": a helper statement, not reported */
		step_done(g, step, n, t);
	return 0;
}

/* One integer from a query (0 when it answers no row or NULL). */
static int
scalar(struct gen *g, const char *tmpl, long long *out)
{
	struct db_result r;

	if (expand(g, tmpl) < 0)
		return -1;
	if (db_query(g->db, &g->a, g->sql.data, NULL, 0, &r) < 0) {
		snprintf(g->err, g->errlen, "%s: %s", g->sql.data, g->db->errmsg);
		return -1;
	}
	*out = r.nrows ? db_val_int(&r, 0, 0, 0) : 0;
	return 0;
}

static void
put_quoted(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			buf_putc(b, *s);
		buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

/* ---- steps ---- */

static const char *const temp_tables[] = {
	"CREATE TEMPORARY TABLE demo_base (kind CHAR(3) NOT NULL, period CHAR(6) NOT NULL, "
	"base INT UNSIGNED NOT NULL, PRIMARY KEY (kind, period)) ENGINE=InnoDB",
	"CREATE TEMPORARY TABLE demo_word (list VARCHAR(8) NOT NULL, k SMALLINT UNSIGNED NOT NULL, "
	"w VARCHAR(300) NOT NULL, PRIMARY KEY (list, k)) ENGINE=InnoDB",
	"CREATE TEMPORARY TABLE demo_thana (tkey INT NOT NULL PRIMARY KEY, thana_id INT UNSIGNED NULL, "
	"district_id INT UNSIGNED NULL, thana VARCHAR(100) NOT NULL, district VARCHAR(100) NOT NULL, "
	"division VARCHAR(100) NOT NULL, postal CHAR(4) NOT NULL) ENGINE=InnoDB",
	"CREATE TEMPORARY TABLE demo_router (rkey VARCHAR(8) NOT NULL PRIMARY KEY, "
	"id BIGINT UNSIGNED NOT NULL) ENGINE=InnoDB",
	"CREATE TEMPORARY TABLE demo_plan (grp TINYINT NOT NULL, lo TINYINT NOT NULL, "
	"hi TINYINT NOT NULL, id BIGINT UNSIGNED NOT NULL, price_c BIGINT NOT NULL, "
	"setup_c BIGINT NOT NULL, dur_s INT NOT NULL, KEY (grp)) ENGINE=InnoDB",
	/* per customer: the row number g and its hashes */
	"CREATE TEMPORARY TABLE demo_h (g INT UNSIGNED NOT NULL PRIMARY KEY, "
	"h1 INT UNSIGNED NOT NULL, h2 INT UNSIGNED NOT NULL, h3 INT UNSIGNED NOT NULL, "
	"h4 INT UNSIGNED NOT NULL, h5 INT UNSIGNED NOT NULL, h6 INT UNSIGNED NOT NULL, "
	"ke TINYINT NOT NULL, kind TINYINT NOT NULL, has_sub TINYINT NOT NULL, "
	"cityk TINYINT NOT NULL, created DATETIME(6) NOT NULL, phone VARCHAR(20) NOT NULL, "
	"mac VARCHAR(17) NULL) ENGINE=InnoDB",
	/* per customer: everything the customer and subscription rows need */
	"CREATE TEMPORARY TABLE demo_c (g INT UNSIGNED NOT NULL PRIMARY KEY, "
	"acct VARCHAR(32) NOT NULL, ke TINYINT NOT NULL, kind TINYINT NOT NULL, "
	"has_sub TINYINT NOT NULL, h5 INT UNSIGNED NOT NULL, sr TINYINT UNSIGNED NOT NULL, "
	"name VARCHAR(200) NOT NULL, uname VARCHAR(100) NOT NULL, phone VARCHAR(20) NOT NULL, "
	"mac VARCHAR(17) NULL, email VARCHAR(254) NULL, address VARCHAR(500) NULL, "
	"city VARCHAR(100) NULL, state VARCHAR(100) NULL, postal VARCHAR(20) NULL, "
	"country VARCHAR(100) NOT NULL, company VARCHAR(200) NULL, tax_id VARCHAR(50) NULL, "
	"acct_type VARCHAR(20) NOT NULL, notes VARCHAR(200) NULL, district_id INT UNSIGNED NULL, "
	"thana_id INT UNSIGNED NULL, created DATETIME(6) NOT NULL, plan_id BIGINT UNSIGNED NOT NULL, "
	"price_c BIGINT NOT NULL, setup_c BIGINT NOT NULL, dur_s INT NOT NULL, "
	"router_id BIGINT UNSIGNED NOT NULL, s_status VARCHAR(10) NULL, s_start DATETIME(6) NULL, "
	"s_end DATETIME(6) NULL, cid BIGINT UNSIGNED NULL, sid BIGINT UNSIGNED NULL, "
	"KEY (sid)) ENGINE=InnoDB",
	/* per invoice to make, numbered in date order (id), and what its
	 * payments will be: intent 0 unpaid, 1 paid in one go, 2 paid in two
	 * parts, 3 part paid; d1 the day it was (first) paid */
	"CREATE TEMPORARY TABLE demo_ivs (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	"cid BIGINT UNSIGNED NOT NULL, sid BIGINT UNSIGNED NOT NULL, plan_id BIGINT UNSIGNED NOT NULL, "
	"router_id BIGINT UNSIGNED NOT NULL, ke TINYINT NOT NULL, acct VARCHAR(32) NOT NULL, "
	"k TINYINT NOT NULL, issue DATE NOT NULL, per CHAR(6) NOT NULL, created DATETIME(6) NOT NULL, "
	"sub_c BIGINT NOT NULL, setup_c BIGINT NOT NULL, tax_c BIGINT NOT NULL, disc_c BIGINT NOT NULL, "
	"total_c BIGINT NOT NULL, cancelled TINYINT NOT NULL, grace TINYINT NOT NULL, "
	"hi INT UNSIGNED NOT NULL, intent TINYINT NOT NULL, d1 DATETIME(6) NOT NULL, "
	"num VARCHAR(20) NULL, real_id BIGINT UNSIGNED NULL) ENGINE=InnoDB",
	/* the first rank of each month: numbers are rank - first + 1 + base */
	"CREATE TEMPORARY TABLE demo_first (kind CHAR(3) NOT NULL, per CHAR(6) NOT NULL, "
	"first INT UNSIGNED NOT NULL, PRIMARY KEY (kind, per)) ENGINE=InnoDB",
	/* hotspot buyers, numbered densely for picking */
	"CREATE TEMPORARY TABLE demo_hot (k INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	"cid BIGINT UNSIGNED NOT NULL, sid BIGINT UNSIGNED NOT NULL, plan_id BIGINT UNSIGNED NOT NULL, "
	"router_id BIGINT UNSIGNED NOT NULL, ke TINYINT NOT NULL, price_c BIGINT NOT NULL, "
	"phone VARCHAR(20) NOT NULL, lo DATETIME(6) NOT NULL, span INT UNSIGNED NOT NULL) ENGINE=InnoDB",
	/* the payments, before they are numbered; iid is a demo_ivs id */
	"CREATE TEMPORARY TABLE demo_pay (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	"prio TINYINT NOT NULL, ord INT UNSIGNED NOT NULL, cid BIGINT UNSIGNED NOT NULL, "
	"iid INT UNSIGNED NULL, sid BIGINT UNSIGNED NULL, plan_id BIGINT UNSIGNED NULL, "
	"router_id BIGINT UNSIGNED NULL, ke TINYINT NOT NULL, hot TINYINT NOT NULL, "
	"amount_c BIGINT NOT NULL, status VARCHAR(10) NOT NULL, pdate DATETIME(6) NOT NULL, "
	"ref VARCHAR(40) NULL, notes VARCHAR(200) NULL, "
	"KEY (iid, status, amount_c, pdate)) ENGINE=InnoDB",
	/* what each invoice was paid */
	"CREATE TEMPORARY TABLE demo_paid (iid INT UNSIGNED NOT NULL PRIMARY KEY, "
	"paid_c BIGINT NOT NULL, paid_at DATETIME(6) NOT NULL) ENGINE=InnoDB",
	/* the payments in date order: rk is the rank */
	"CREATE TEMPORARY TABLE demo_ord (rk INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	"pid INT UNSIGNED NOT NULL) ENGINE=InnoDB",
};

static const char *const drop_temp =
	"DROP TEMPORARY TABLE IF EXISTS demo_base, demo_word, demo_thana, demo_router, demo_plan, "
	"demo_h, demo_c, demo_ivs, demo_first, demo_hot, demo_pay, demo_paid, demo_ord, demo_keep";

/* The numbers already taken: counters, and rows that carry a number.  Read
 * with plain SELECTs: an INSERT ... SELECT would lock the (empty) tables'
 * records and cost InnoDB's bulk load into empty tables. */
static const char *const base_sql[] = {
	"SELECT kind, period, last FROM number_counters WHERE tenant_id = {T}",
	"SELECT 'INV', SUBSTRING(invoice_number, 5, 6), "
	"MAX(CAST(SUBSTRING(invoice_number, 12) AS UNSIGNED)) FROM invoices WHERE tenant_id = {T} "
	"AND invoice_number REGEXP '^INV-[0-9]{6}-[0-9]+$' GROUP BY 2",
	"SELECT 'PAY', SUBSTRING(payment_number, 5, 6), "
	"MAX(CAST(SUBSTRING(payment_number, 12) AS UNSIGNED)) FROM payments WHERE tenant_id = {T} "
	"AND payment_number REGEXP '^PAY-[0-9]{6}-[0-9]+$' GROUP BY 2",
	"SELECT 'TKT', SUBSTRING(ticket_number, 5, 6), "
	"MAX(CAST(SUBSTRING(ticket_number, 12) AS UNSIGNED)) FROM tickets WHERE tenant_id = {T} "
	"AND ticket_number REGEXP '^TKT-[0-9]{6}-[0-9]+$' GROUP BY 2",
	"SELECT 'CUS', '000000', MAX(CAST(SUBSTRING(account_number, 6) AS UNSIGNED)) "
	"FROM customers WHERE tenant_id = {T} AND account_number REGEXP '^CUST-[0-9]+$' "
	"HAVING COUNT(*) > 0",
};

static int
load_base(struct gen *g)
{
	struct db_result r;

	for (size_t i = 0; i < sizeof(base_sql) / sizeof(base_sql[0]); i++) {
		if (expand(g, base_sql[i]) < 0)
			return -1;
		if (db_query(g->db, &g->a, g->sql.data, NULL, 0, &r) < 0) {
			snprintf(g->err, g->errlen, "numbers in use: %s", g->db->errmsg);
			return -1;
		}
		for (unsigned row = 0; row < r.nrows; row++) {
			struct db_param p[3] = { db_str(db_val(&r, row, 0)), db_str(db_val(&r, row, 1)),
				db_int(db_val_int(&r, row, 2, 0)) };

			if (db_query(g->db, &g->a, "INSERT INTO demo_base VALUES (?, ?, ?) "
			    "ON DUPLICATE KEY UPDATE base = GREATEST(base, VALUES(base))", p, 3, NULL) < 0) {
				snprintf(g->err, g->errlen, "numbers in use: %s", g->db->errmsg);
				return -1;
			}
		}
	}
	return 0;
}

static int
load_words(struct gen *g)
{
	struct buf b = BUF_INIT;
	int rc;

	buf_puts(&b, "INSERT INTO demo_word (list, k, w) VALUES ");
	for (size_t l = 0; l < sizeof(wordlists) / sizeof(wordlists[0]); l++) {
		const struct wordlist *wl = &wordlists[l];

		for (size_t k = 0; k < wl->n; k++) {
			if (l || k)
				buf_putc(&b, ',');
			buf_printf(&b, "('%s',%zu,", wl->key, k);
			put_quoted(&b, wl->w[k]);
			buf_putc(&b, ')');
		}
		setint(g, wl->key, (long long)wl->n);
	}
	/* braces never occur in the words: expand() leaves them as they are */
	rc = run(g, "-words", buf_cstr(&b), NULL);
	buf_free(&b);
	return rc;
}

static int
load_places(struct gen *g, struct demo_counts *out)
{
	long long nt = 0, nmaj = 0;

	if (scalar(g, "SELECT COUNT(*) FROM thanas t JOIN districts d ON d.id = t.district_id "
	    "JOIN divisions v ON v.id = d.division_id", &nt) < 0)
		return -1;
	if (nt > 0) {
		out->locations = 1;
		if (run(g, "-places", "INSERT INTO demo_thana SELECT ROW_NUMBER() OVER (ORDER BY t.id) - 1, "
		    "t.id, d.id, t.name, d.name, v.name, LPAD(1000 + (d.id * 97 + t.id * 7) % 8000, 4, '0') "
		    "FROM thanas t JOIN districts d ON d.id = t.district_id "
		    "JOIN divisions v ON v.id = d.division_id", NULL) < 0 ||
		    /* the big towns again under negative keys: most customers live there */
		    run(g, "-places", "INSERT INTO demo_thana SELECT "
		    "-CAST(ROW_NUMBER() OVER (ORDER BY t.id) AS SIGNED), t.id, d.id, t.name, d.name, "
		    "v.name, LPAD(1000 + (d.id * 97 + t.id * 7) % 8000, 4, '0') "
		    "FROM thanas t JOIN districts d ON d.id = t.district_id "
		    "JOIN divisions v ON v.id = d.division_id "
		    "WHERE d.name IN ('Dhaka', 'Gazipur', 'Narayanganj', 'Chattogram', 'Sylhet')",
		    &nmaj) < 0)
			return -1;
	} else {
		struct buf b = BUF_INIT;
		int rc;

		buf_puts(&b, "INSERT INTO demo_thana VALUES ");
		for (size_t i = 0; i < sizeof(bd_places) / sizeof(bd_places[0]); i++) {
			buf_printf(&b, "%s(%zu,NULL,NULL,", i ? "," : "", i);
			for (int c = 0; c < 4; c++) {
				put_quoted(&b, bd_places[i][c]);
				buf_putc(&b, c < 3 ? ',' : ')');
			}
		}
		nt = (long long)(sizeof(bd_places) / sizeof(bd_places[0]));
		rc = run(g, "-places", buf_cstr(&b), NULL);
		buf_free(&b);
		if (rc < 0)
			return -1;
	}
	setint(g, "NT", nt);
	setint(g, "NMAJ", nmaj);
	return 0;
}

static void
cents(char *out, size_t n, long long c)
{
	snprintf(out, n, "%lld.%02lld", c / 100, c % 100);
}

/* Routers and plans by name: made when missing, reused with --append. */
static int
load_network(struct gen *g, long long tenant, struct demo_counts *out)
{
	struct db_result r;
	double t = time_mono_ms();

	for (size_t i = 0; i < sizeof(routers) / sizeof(routers[0]); i++) {
		const struct router_spec *s = &routers[i];
		unsigned char key[16];
		char hex[33];
		struct db_param q[2] = { db_int(tenant), db_str(s->name) };

		randombytes_buf(key, sizeof(key));
		sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
		{
			struct db_param p[15] = {
				db_int(tenant), db_str(s->name), db_str(s->description), db_str(s->host),
				db_int(s->api_port), db_int(s->use_tls), db_str(s->status),
				db_int(s->seen_ago), db_int(s->seen_ago), db_str(s->location),
				db_str(s->coordinates), db_str(s->notes), db_str(hex), db_int(tenant),
				db_str(s->name),
			};

			if (db_query(g->db, &g->a, "INSERT INTO routers (uuid, tenant_id, name, description, "
			    "router_type, host, api_port, use_tls, username, password_enc, status, last_seen, "
			    "location, coordinates, notes, callback_key) SELECT UUID(), ?, ?, ?, 'mikrotik', ?, "
			    "?, ?, 'billing-api', NULL, ?, IF(? < 0, NULL, UTC_TIMESTAMP(6) - INTERVAL ? SECOND), "
			    "?, ?, ?, ? FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM routers WHERE tenant_id = ? "
			    "AND name = ?)", p, 15, &r) < 0)
				goto dberr;
		}
		out->routers += (long long)r.affected;
		if (db_query(g->db, &g->a, "SELECT id FROM routers WHERE tenant_id = ? AND name = ? "
		    "AND deleted_at IS NULL", q, 2, &r) < 0)
			goto dberr;
		if (r.nrows == 0) {
			snprintf(g->err, g->errlen, "router \"%s\" exists but is deleted; rename or "
			    "purge it first", s->name);
			return 1;
		}
		{
			struct db_param ins[2] = { db_str(s->rkey), db_int(db_val_int(&r, 0, 0, 0)) };

			if (db_query(g->db, &g->a, "INSERT INTO demo_router VALUES (?, ?)", ins, 2, NULL) < 0)
				goto dberr;
		}
	}
	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		const struct plan_spec *s = &plans[i];
		char price[32], setup[32];
		long long id, dur = 0, price_c = s->price_c, setup_c = s->setup_c;
		int hs = strcmp(s->ctype, "hotspot") == 0;
		struct db_param q[3] = { db_int(tenant), db_str(s->name), db_str(s->ctype) };

		if (hs)
			dur = (long long)s->dur_value * (strcmp(s->dur_unit, "minutes") == 0 ? 60 :
			    strcmp(s->dur_unit, "hours") == 0 ? 3600 : 86400);
		cents(price, sizeof(price), s->price_c);
		cents(setup, sizeof(setup), s->setup_c);
		/* a plan of that name and kind already there (--append): use it as it is now */
		if (db_query(g->db, &g->a, "SELECT id, CAST(price * 100 AS SIGNED), "
		    "CAST(setup_fee * 100 AS SIGNED), duration_value * CASE duration_unit "
		    "WHEN 'minutes' THEN 60 WHEN 'hours' THEN 3600 WHEN 'days' THEN 86400 "
		    "WHEN 'weeks' THEN 604800 WHEN 'months' THEN 2592000 END FROM plans "
		    "WHERE tenant_id = ? AND name = ? AND connection_type = ? AND deleted_at IS NULL "
		    "ORDER BY id LIMIT 1", q, 3, &r) < 0)
			goto dberr;
		if (r.nrows) {
			id = db_val_int(&r, 0, 0, 0);
			price_c = db_val_int(&r, 0, 1, price_c);
			setup_c = db_val_int(&r, 0, 2, setup_c);
			if (hs && db_val_int(&r, 0, 3, 0) > 0)
				dur = db_val_int(&r, 0, 3, dur);
		} else {
			struct db_param p[17] = {
				db_int(tenant), db_str(s->name), db_str(s->description), db_str(s->ctype),
				db_int(s->down), db_int(s->up),
				s->quota ? db_int(s->quota) : db_null(), db_str(s->quota ? "gb" : "unlimited"),
				hs ? db_int(s->dur_value) : db_null(), db_str(hs ? s->dur_unit : NULL),
				db_str(hs ? NULL : "monthly"), db_str(price), db_str(setup),
				db_str(s->profile), db_int(s->featured), db_int(s->popular),
				db_str(s->features),
			};

			if (db_query(g->db, &g->a, "INSERT INTO plans (uuid, tenant_id, name, description, "
			    "connection_type, download_speed, upload_speed, speed_unit, data_quota, "
			    "quota_unit, duration_value, duration_unit, billing_cycle, price, setup_fee, "
			    "router_profile, is_active, is_featured, is_popular, features) VALUES (UUID(), ?, "
			    "?, ?, ?, ?, ?, 'mbps', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)", p, 17, &r) < 0)
				goto dberr;
			id = (long long)r.insert_id;
			out->plans++;
		}
		{
			struct db_param ins[7] = { db_int(s->grp), db_int(s->lo), db_int(s->hi), db_int(id),
				db_int(price_c), db_int(setup_c), db_int(dur) };

			if (db_query(g->db, &g->a, "INSERT INTO demo_plan VALUES (?, ?, ?, ?, ?, ?, ?)",
			    ins, 7, NULL) < 0)
				goto dberr;
		}
	}
	step_done(g, "routers and plans", out->routers + out->plans, t);
	return 0;
dberr:
	snprintf(g->err, g->errlen, "routers and plans: %s", g->db->errmsg);
	return -1;
}

/* g = C0 + row number: the customer's account number and every choice made for it */
static const char *const hashes_sql =
	"INSERT INTO demo_h (g, h1, h2, h3, h4, h5, h6, ke, kind, has_sub, cityk, created, phone, mac) "
	"SELECT a.g, a.h1, a.h2, a.h3, a.h4, a.h5, a.h6, a.ke, IF(a.hs, 1, 2), IF(a.hs, 1, "
	"(a.h1 DIV 10000) % 100 < 90), "
	"IF(NOT a.ke, 0, IF(a.hs, IF((a.h2 DIV 4096) % 100 < 75, 1, 2), CASE WHEN "
	"(a.h2 DIV 4096) % 100 < 70 THEN 1 WHEN (a.h2 DIV 4096) % 100 < 88 THEN 3 ELSE 4 END)), "
	"{NOW} - INTERVAL IF(a.hs, a.h4 % 31536000, a.h4 % 63072000) SECOND, "
	"IF(a.ke, CONCAT('254', ELT(1 + (a.h3 DIV 100) % 10, '712', '722', '795', '740', '757', "
	"'790', '110', '111', '115', '701'), LPAD((a.g * 611953 + 390221) % 1000000, 6, '0')), "
	"CONCAT('8801', ELT(1 + (a.h3 DIV 100) % 7, '7', '3', '9', '4', '8', '6', '5'), "
	"LPAD((a.g * 61195337 + 20240917) % 100000000, 8, '0'))), "
	"IF(a.hs, CONCAT_WS(':', LPAD(HEX(((a.h4 DIV 7) % 64) * 4 + 2), 2, '0'), "
	"LPAD(HEX((a.h5 DIV 3) % 256), 2, '0'), LPAD(HEX((a.h6 DIV 5) % 256), 2, '0'), "
	"LPAD(HEX(((a.g * 10368889) % 16777216) DIV 65536), 2, '0'), "
	"LPAD(HEX((((a.g * 10368889) % 16777216) DIV 256) % 256), 2, '0'), "
	"LPAD(HEX((a.g * 10368889) % 256), 2, '0')), NULL) "
	"FROM (SELECT b.*, b.ke AND (b.h1 DIV 100) % 100 < 55 AS hs FROM (SELECT s.seq + {C0} AS g, "
	"CRC32(CONCAT('c1:', s.seq + {C0})) AS h1, CRC32(CONCAT('c2:', s.seq + {C0})) AS h2, "
	"CRC32(CONCAT('c3:', s.seq + {C0})) AS h3, CRC32(CONCAT('c4:', s.seq + {C0})) AS h4, "
	"CRC32(CONCAT('c5:', s.seq + {C0})) AS h5, CRC32(CONCAT('c6:', s.seq + {C0})) AS h6, "
	"CRC32(CONCAT('c1:', s.seq + {C0})) % 100 < 65 AS ke FROM seq_1_to_{N} s) b) a";

#define SLUG(w) "LOWER(REPLACE(REPLACE(REPLACE(" w ", '.', ''), ' ', ''), '''', ''))"
#define BIZ "(h.kind = 2 AND (h.h3 DIV 1000) % 100 >= 80)"

static const char *const customers_stage_sql =
	"INSERT INTO demo_c (g, acct, ke, kind, has_sub, h5, sr, name, uname, phone, mac, email, "
	"address, city, state, postal, country, company, tax_id, acct_type, notes, district_id, "
	"thana_id, created, plan_id, price_c, setup_c, dur_s, router_id) "
	"SELECT h.g, CONCAT('CUST-', IF(h.g < 1000000, LPAD(h.g, 6, '0'), h.g)), h.ke, h.kind, "
	"h.has_sub, h.h5, (h.h1 DIV 1000000) % 100, "
	"IF(h.kind = 1, CONCAT('Guest ', RIGHT(h.phone, 4)), CONCAT(f.w, ' ', l.w)), "
	"IF(h.kind = 1, h.mac, CONCAT(" SLUG("f.w") ", '_', h.g)), h.phone, h.mac, "
	"IF(h.kind = 2 AND (h.h2 DIV 409600) % 100 < 45, CONCAT(" SLUG("f.w") ", '.', " SLUG("l.w")
	", h.g, '@', m.w), NULL), "
	"IF(h.kind = 1, NULL, IF(h.ke, CONCAT(ELT(1 + h.h6 % 3, 'House ', 'Apt ', 'Plot '), "
	"1 + (h.h6 DIV 3) % 120, ', ', IF(h.cityk = 1, CONCAT(r.w, ', '), ''), e.w), "
	"CONCAT('House ', 1 + h.h6 % 90, ', Road ', "
	"1 + (h.h6 DIV 90) % 30, ', ', t.thana))), "
	"IF(h.ke, ELT(h.cityk, 'Nairobi', 'Mombasa', 'Kisumu', 'Nakuru'), t.district), "
	"IF(h.ke, ELT(h.cityk, 'Nairobi', 'Mombasa', 'Kisumu', 'Nakuru'), t.division), "
	"IF(h.kind = 1, NULL, IF(h.ke, ELT(h.cityk, '00100', '80100', '40100', '20100'), t.postal)), "
	"IF(h.ke, 'Kenya', 'Bangladesh'), "
	"IF(" BIZ ", CONCAT(l.w, ' ', b.w), NULL), "
	"IF(" BIZ ", IF(h.ke, CONCAT('P05', LPAD((h.g * 7919) % 10000000, 7, '0'), "
	"CHAR(65 + h.h6 % 26 USING ascii)), CONCAT(1 + h.h6 % 9, LPAD((h.g * 7919) % 100000000000, 11, "
	"'0'))), NULL), "
	"IF(h.kind = 1, 'hotspot', CASE WHEN (h.h3 DIV 1000) % 100 < 80 THEN 'residential' "
	"WHEN (h.h3 DIV 1000) % 100 < 92 THEN 'business' WHEN (h.h3 DIV 1000) % 100 < 96 "
	"THEN 'retail' ELSE 'corporate' END), "
	"IF(h.kind = 2 AND (h.h6 DIV 100) % 100 < 6, n.w, NULL), t.district_id, t.thana_id, "
	"h.created, p.id, p.price_c, p.setup_c, p.dur_s, ro.id "
	"FROM demo_h h "
	"JOIN demo_word f ON f.list = IF(h.ke, 'KEF', 'BDF') AND f.k = h.h2 % IF(h.ke, {KEF}, {BDF}) "
	"JOIN demo_word l ON l.list = IF(h.ke, 'KEL', 'BDL') "
	"AND l.k = (h.h2 DIV 64) % IF(h.ke, {KEL}, {BDL}) "
	"JOIN demo_word m ON m.list = 'MAIL' AND m.k = (h.h3 DIV 100000) % {MAIL} "
	"JOIN demo_word b ON b.list = IF(h.ke, 'KEBIZ', 'BDBIZ') "
	"AND b.k = (h.h4 DIV 11) % IF(h.ke, {KEBIZ}, {BDBIZ}) "
	"JOIN demo_word n ON n.list = 'CNOTE' AND n.k = (h.h6 DIV 10000) % {CNOTE} "
	"LEFT JOIN demo_word r ON h.ke = 1 AND r.list = 'KEROAD' AND r.k = (h.h4 DIV 13) % {KEROAD} "
	"LEFT JOIN demo_word e ON h.ke = 1 AND e.list = ELT(h.cityk, 'ESTNBI', 'ESTMSA', 'ESTKSM', "
	"'ESTNKR') AND e.k = (h.h5 DIV 1000) % ELT(h.cityk, {ESTNBI}, {ESTMSA}, {ESTKSM}, {ESTNKR}) "
	"LEFT JOIN demo_thana t ON h.ke = 0 AND t.tkey = IF({NMAJ} > 0 AND (h.h6 DIV 7) % 100 < 60, "
	"-1 - CAST((h.h6 DIV 700) % GREATEST({NMAJ}, 1) AS SIGNED), (h.h6 DIV 700) % {NT}) "
	"JOIN demo_plan p ON p.grp = IF(h.kind = 1, 1, IF(h.ke, 2, 3)) AND h.h3 % 100 >= p.lo "
	"AND h.h3 % 100 < p.hi "
	"JOIN demo_router ro ON ro.rkey = IF(h.kind = 1, CONCAT('HS', h.cityk), IF(h.ke, "
	"CONCAT('PP', IF(h.cityk = 2, 1, h.cityk)), CASE t.division WHEN 'Chattagram' THEN 'BD2' "
	"WHEN 'Sylhet' THEN 'BD3' ELSE 'BD1' END))";

/* monthly PPPoE: a start shortly after sign-up; the end is the next renewal
 * (active), the missed one (suspended) or an earlier one (expired, cancelled) */
static const char *const pppoe_dates_sql =
	"UPDATE demo_c SET s_start = LEAST({NOW}, created + INTERVAL (h5 % 259200) SECOND), "
	"s_status = CASE WHEN TIMESTAMPDIFF(MONTH, s_start, {NOW}) < 1 OR sr < 76 THEN 'active' "
	"WHEN sr < 84 THEN 'suspended' WHEN sr < 93 THEN 'expired' ELSE 'cancelled' END, "
	"s_end = s_start + INTERVAL (CASE s_status WHEN 'active' THEN "
	"TIMESTAMPDIFF(MONTH, s_start, {NOW}) + 1 WHEN 'suspended' THEN "
	"TIMESTAMPDIFF(MONTH, s_start, {NOW}) ELSE GREATEST(1, TIMESTAMPDIFF(MONTH, s_start, {NOW}) - "
	"CAST((h5 DIV 1000) % 8 AS SIGNED)) END) MONTH "
	"WHERE kind = 2 AND has_sub = 1";
/* month arithmetic at month ends can land a day off: keep the statuses true */
static const char *const pppoe_fix1_sql =
	"UPDATE demo_c SET s_end = s_end + INTERVAL 1 MONTH WHERE kind = 2 AND has_sub = 1 "
	"AND s_status = 'active' AND s_end <= {NOW}";
static const char *const pppoe_fix2_sql =
	"UPDATE demo_c SET s_status = 'active' WHERE kind = 2 AND has_sub = 1 "
	"AND s_status <> 'active' AND s_end > {NOW}";
/* hotspot: a quarter are online now, the rest bought their last pass earlier */
static const char *const hotspot_dates_sql =
	"UPDATE demo_c SET s_start = IF((h5 DIV 100) % 100 < 25, "
	"GREATEST(created, {NOW} - INTERVAL (h5 % dur_s) SECOND), "
	"created + INTERVAL (h5 % GREATEST(1, TIMESTAMPDIFF(SECOND, created, {NOW}) - dur_s)) SECOND), "
	"s_end = s_start + INTERVAL dur_s SECOND, "
	"s_status = IF(s_end > {NOW}, 'active', 'expired') "
	"WHERE kind = 1";

static const char *const customers_sql =
	"INSERT INTO customers (uuid, tenant_id, account_number, name, email, phone, mac_address, "
	"address, city, state, postal_code, country, company_name, tax_id, account_type, status, "
	"balance, notes, district_id, thana_id, created_at, updated_at) "
	"SELECT UUID(), {T}, acct, name, email, phone, mac, address, city, state, postal, country, "
	"company, tax_id, acct_type, CASE s_status WHEN 'active' THEN 'active' WHEN 'suspended' "
	"THEN 'suspended' WHEN 'cancelled' THEN 'cancelled' WHEN 'expired' THEN IF(kind = 1, "
	"'expired', 'inactive') ELSE 'inactive' END, 0, notes, district_id, thana_id, created, "
	"GREATEST(created, LEAST({NOW}, COALESCE(s_start, created))) FROM demo_c ORDER BY g";

static const char *const subscriptions_sql =
	"INSERT INTO subscriptions (uuid, tenant_id, customer_id, plan_id, router_id, username, "
	"access_method, mac_address, status, start_date, end_date, monthly_fee, setup_fee, data_used, "
	"data_reset_date, provision_state, created_at, updated_at) "
	"SELECT UUID(), {T}, cid, plan_id, router_id, uname, IF(kind = 1, 'hotspot', 'pppoe'), "
	"IF(kind = 1, mac, NULL), s_status, s_start, s_end, price_c / 100, setup_c / 100, "
	"IF(kind = 1, (h5 DIV 7) % (dur_s * 40000), ((h5 DIV 7) % 160000) * 1048576), "
	"IF(kind = 1, s_start, IF(s_status IN ('active', 'suspended'), s_end - INTERVAL 1 MONTH, NULL)), "
	"IF(s_status = 'cancelled' OR (kind = 1 AND s_status = 'expired'), 'removed', 'provisioned'), "
	"s_start, LEAST({NOW}, GREATEST(s_start, IF(kind = 1 OR s_status <> 'active', s_end, "
	"s_end - INTERVAL 1 MONTH))) FROM demo_c WHERE has_sub = 1 ORDER BY g";

/* one invoice per PPPoE subscription and month of the last year it ran;
 * the first includes the setup fee; VAT 16% (Kenya) or 5% (Bangladesh).
 * Staged in date order, so a month's invoices have consecutive ids. */
static const char *const invoices_stage_sql =
	"INSERT INTO demo_ivs (cid, sid, plan_id, router_id, ke, acct, k, issue, per, created, sub_c, "
	"setup_c, tax_c, disc_c, total_c, cancelled, grace, hi, intent, d1) "
	"SELECT y.cid, y.sid, y.plan_id, y.router_id, y.ke, y.acct, y.k, y.issue, "
	"DATE_FORMAT(y.issue, '%Y%m'), y.created, y.sub_c, y.setup_c, y.tax_c, y.disc_c, "
	"y.sub_c + y.tax_c - y.disc_c, y.cx, y.grace, y.hi, "
	"CASE WHEN y.cx THEN 0 WHEN y.susp_last THEN IF((y.hi DIV 100) % 100 < 80, 0, 3) "
	"WHEN y.grace THEN IF((y.hi DIV 100) % 100 < 55, 1 + ((y.hi DIV 10000) % 100 < 12), 0) "
	"WHEN (y.hi DIV 100) % 100 < 94 THEN 1 + ((y.hi DIV 10000) % 100 < 12) "
	"WHEN (y.hi DIV 100) % 100 < 98 THEN 3 ELSE 0 END, "
	"GREATEST(TIMESTAMP(y.issue), LEAST({NOW} - INTERVAL 5 MINUTE, TIMESTAMP(y.issue) + "
	"INTERVAL ((y.hi DIV 1000) % (LEAST(DATEDIFF({TODAY}, y.issue), 14) + 1)) DAY + "
	"INTERVAL (25200 + (y.hi DIV 7) % 50000) SECOND)) "
	"FROM (SELECT x.*, (x.sub_c * IF(x.ke, 16, 5) + 50) DIV 100 AS tax_c, "
	"IF(x.hi % 100 < 4, x.sub_c DIV 10, 0) AS disc_c, x.hi % 100 BETWEEN 4 AND 5 AS cx, "
	"LEAST({NOW}, TIMESTAMP(x.issue) + INTERVAL (10800 + (x.hi DIV 3) % 7200) SECOND) AS created, "
	"x.issue + INTERVAL 10 DAY >= {TODAY} AS grace, "
	"(x.s_status = 'suspended' AND x.issue >= DATE(x.s_end)) AS susp_last "
	"FROM (SELECT d.cid, d.sid, d.plan_id, d.router_id, d.ke, d.acct, k.seq AS k, "
	"DATE(d.s_start + INTERVAL k.seq MONTH) AS issue, "
	"d.price_c + IF(k.seq = 0, d.setup_c, 0) AS sub_c, IF(k.seq = 0, d.setup_c, 0) AS setup_c, "
	"CRC32(CONCAT('inv:', d.sid, ':', k.seq)) AS hi, d.s_status, d.s_end "
	"FROM demo_c d JOIN seq_0_to_36 k "
	"WHERE d.kind = 2 AND d.has_sub = 1 AND d.s_start + INTERVAL k.seq MONTH <= {NOW}) x "
	"WHERE x.issue >= {TODAY} - INTERVAL 365 DAY AND x.issue <= {TODAY} "
	"AND (x.s_status = 'active' OR (x.s_status = 'suspended' AND x.issue <= DATE(x.s_end)) "
	"OR x.issue < DATE(x.s_end))) y ORDER BY y.created, y.sid";

#define NUMBER(prefix, per, n) \
	"CONCAT('" prefix "-', " per ", '-', IF(" n " < 10000, LPAD(" n ", 4, '0'), " n "))"
#define INV_N "(v.id - f.first + 1 + COALESCE(b.base, 0))"

static const char *const invoice_first_sql =
	"INSERT INTO demo_first SELECT 'INV', per, MIN(id) FROM demo_ivs GROUP BY per";
static const char *const invoice_numbers_sql =
	"UPDATE demo_ivs v JOIN demo_first f ON f.kind = 'INV' AND f.per = v.per "
	"LEFT JOIN demo_base b ON b.kind = 'INV' AND b.period = v.per "
	"SET v.num = " NUMBER("INV", "v.per", INV_N);

/* 1: the payment (or the first part, or a part payment), 2: the second
 * part, 3: a failed attempt, 4: a duplicate later refunded, 5: a transfer
 * waiting for confirmation */
static const char *const invoice_payments_sql =
	"INSERT INTO demo_pay (prio, ord, cid, iid, sid, plan_id, router_id, ke, hot, amount_c, "
	"status, pdate, ref, notes) "
	"SELECT IF(p.seq <= 2, 1, 3), CRC32(CONCAT('o:', x.id, ':', p.seq, ':', {INV0})), x.cid, x.id, "
	"x.sid, x.plan_id, x.router_id, x.ke, 0, "
	"CASE p.seq WHEN 1 THEN CASE x.intent WHEN 1 THEN x.total_c WHEN 2 THEN x.total_c DIV 2 "
	"ELSE x.total_c * (30 + (x.hi DIV 100000000) % 41) DIV 100 END "
	"WHEN 2 THEN x.total_c - x.total_c DIV 2 ELSE x.total_c END, "
	"ELT(p.seq, 'completed', 'completed', 'failed', 'refunded', 'pending'), "
	"CASE p.seq WHEN 1 THEN x.d1 WHEN 2 THEN LEAST({NOW} - INTERVAL 1 MINUTE, "
	"x.d1 + INTERVAL (1 + x.hi % 4) DAY) WHEN 3 THEN GREATEST(TIMESTAMP(x.issue), "
	"x.d1 - INTERVAL (60 + x.hi % 1800) SECOND) WHEN 4 THEN LEAST({NOW}, x.d1 + INTERVAL 3 MINUTE) "
	"ELSE GREATEST(TIMESTAMP(x.issue), {NOW} - INTERVAL (x.hi % 172800) SECOND) END, "
	"x.acct, "
	"CASE p.seq WHEN 2 THEN 'Balance of the invoice' WHEN 3 THEN IF(x.ke, ELT(1 + (x.hi DIV 7) % 3, "
	"'Request cancelled by user', 'DS timeout user cannot be reached', "
	"'The balance is insufficient for the transaction'), ELT(1 + (x.hi DIV 7) % 3, "
	"'Payment cancelled by customer', 'Insufficient balance', 'Transaction timed out')) "
	"WHEN 4 THEN 'Duplicate payment, refunded' WHEN 5 THEN 'Awaiting confirmation' END "
	"FROM demo_ivs x JOIN seq_1_to_5 p ON (p.seq = 1 AND x.intent > 0) "
	"OR (p.seq = 2 AND x.intent = 2) "
	"OR (p.seq = 3 AND x.cancelled = 0 AND (x.hi DIV 1000000) % 100 < 6) "
	"OR (p.seq = 4 AND x.intent = 1 AND (x.hi DIV 1000000) % 100 = 99) "
	"OR (p.seq = 5 AND x.intent = 0 AND x.grace = 1 AND x.cancelled = 0 "
	"AND (x.hi DIV 1000000) % 100 BETWEEN 70 AND 94)";

/* every hotspot guest paid for the pass they are on (or were last on) */
static const char *const activation_payments_sql =
	"INSERT INTO demo_pay (prio, ord, cid, iid, sid, plan_id, router_id, ke, hot, amount_c, "
	"status, pdate, ref, notes) "
	"SELECT 2, CRC32(CONCAT('a:', g)), cid, NULL, sid, plan_id, router_id, ke, 1, price_c, "
	"'completed', s_start, phone, NULL FROM demo_c WHERE kind = 1 AND has_sub = 1";

/* the buyers the rest of the payments are spread over: hotspot guests, from
 * their first day (or a year ago) to their last pass; with none, PPPoE
 * customers' failed attempts over the last year */
static const char *const hot_sql =
	"INSERT INTO demo_hot (cid, sid, plan_id, router_id, ke, price_c, phone, lo, span) "
	"SELECT cid, sid, plan_id, router_id, ke, price_c, phone, "
	"LEAST(IF(kind = 1, s_start, {NOW}), GREATEST(created, "
	"{NOW} - INTERVAL 365 DAY)), GREATEST(1, TIMESTAMPDIFF(SECOND, LEAST(IF(kind = 1, s_start, "
	"{NOW}), GREATEST(created, {NOW} - INTERVAL 365 DAY)), IF(kind = 1, s_start, {NOW}))) "
	"FROM demo_c WHERE has_sub = 1 AND kind = {HOTKIND} ORDER BY g";

static const char *const fill_payments_sql =
	"INSERT INTO demo_pay (prio, ord, cid, iid, sid, plan_id, router_id, ke, hot, amount_c, "
	"status, pdate, ref, notes) "
	"SELECT 4, q.hg, h.cid, NULL, h.sid, h.plan_id, h.router_id, h.ke, 1 - {FALLBACK}, h.price_c, "
	"IF({FALLBACK}, 'failed', CASE WHEN q.hg % 1000 < 930 THEN 'completed' WHEN q.hg % 1000 < 980 "
	"THEN 'failed' WHEN q.hg % 1000 < 990 THEN 'pending' ELSE 'refunded' END), "
	"IF({FALLBACK} = 0 AND q.hg % 1000 BETWEEN 980 AND 989, "
	"{NOW} - INTERVAL ((q.hg DIV 1000) % 3600) SECOND, "
	"h.lo + INTERVAL ((q.hf DIV 7) % h.span) SECOND), h.phone, "
	"CASE WHEN {FALLBACK} OR q.hg % 1000 BETWEEN 930 AND 979 THEN ELT(1 + (q.hg DIV 1000) % 3, "
	"'Request cancelled by user', 'DS timeout user cannot be reached', "
	"'The balance is insufficient for the transaction') WHEN q.hg % 1000 >= 990 THEN "
	"'Reversed: the pass could not be activated' END "
	"FROM (SELECT s.seq, CRC32(CONCAT('f:', {C0}, ':', s.seq)) AS hf, "
	"CRC32(CONCAT('g:', {C0}, ':', s.seq)) AS hg FROM seq_1_to_{F} s) q "
	"JOIN demo_hot h ON h.k = 1 + q.hf % {NH}";

#define PAY_METHOD \
	"(CASE WHEN p.hot THEN IF((p.ord DIV 7) % 100 < 80, 'mpesa', 'mobile_money') " \
	"WHEN p.ke THEN CASE WHEN (p.ord DIV 7) % 100 < 60 THEN 'mpesa' " \
	"WHEN (p.ord DIV 7) % 100 < 75 THEN 'mobile_money' " \
	"WHEN (p.ord DIV 7) % 100 < 88 THEN IF(p.status IN ('failed', 'pending'), 'mpesa', 'cash') " \
	"ELSE IF(p.status = 'failed', 'mpesa', 'bank_transfer') END " \
	"ELSE CASE WHEN (p.ord DIV 7) % 100 < 45 THEN 'bkash' " \
	"WHEN (p.ord DIV 7) % 100 < 65 THEN 'nagad' " \
	"WHEN (p.ord DIV 7) % 100 < 70 THEN 'rocket' " \
	"WHEN (p.ord DIV 7) % 100 < 85 THEN IF(p.status IN ('failed', 'pending'), 'bkash', 'cash') " \
	"ELSE IF(p.status = 'failed', 'bkash', 'bank_transfer') END END)"
/* u is unique across runs (the ranks are dense even when payments were
 * trimmed); mix a bijection of it modulo 36^8 (receipts) */
#define PAY_U   "({P0} + o.rk)"
#define PAY_MIX "((({P0} + o.rk) * 2654435761) % 2821109907456)"
#define PAY_N   "(o.rk - f.first + 1 + COALESCE(b.base, 0))"

/* what each invoice was paid: the sum of its completed payments */
static const char *const invoice_paid_sql =
	"INSERT INTO demo_paid SELECT iid, SUM(amount_c), MAX(pdate) FROM demo_pay "
	"WHERE iid IS NOT NULL AND status = 'completed' GROUP BY iid";

static const char *const invoices_sql =
	"INSERT INTO invoices (uuid, tenant_id, customer_id, subscription_id, invoice_number, "
	"invoice_type, billing_period_start, billing_period_end, subtotal, tax_amount, "
	"discount_amount, total_amount, paid_amount, status, issue_date, due_date, paid_date, notes, "
	"created_at, updated_at) "
	"SELECT UUID(), {T}, v.cid, v.sid, v.num, 'monthly', v.issue, "
	"v.issue + INTERVAL 1 MONTH - INTERVAL 1 DAY, v.sub_c / 100, v.tax_c / 100, v.disc_c / 100, "
	"v.total_c / 100, COALESCE(pd.paid_c, 0) / 100, "
	"CASE WHEN v.cancelled THEN 'cancelled' WHEN COALESCE(pd.paid_c, 0) >= v.total_c THEN 'paid' "
	"WHEN v.grace THEN 'pending' ELSE 'overdue' END, v.issue, v.issue + INTERVAL 10 DAY, "
	"IF(COALESCE(pd.paid_c, 0) >= v.total_c, pd.paid_at, NULL), "
	"CASE WHEN v.cancelled THEN 'Cancelled: raised in error' WHEN v.k = 0 AND v.setup_c > 0 THEN "
	"'First month and installation' WHEN v.disc_c > 0 THEN 'Loyalty discount 10%' END, "
	"v.created, GREATEST(v.created, COALESCE(pd.paid_at, v.created)) "
	"FROM demo_ivs v LEFT JOIN demo_paid pd ON pd.iid = v.id ORDER BY v.id";

static const char *const invoice_ids_sql =
	"UPDATE demo_ivs v STRAIGHT_JOIN invoices i FORCE INDEX (uq_invoices_number) "
	"ON i.tenant_id = {T} AND i.invoice_number = v.num SET v.real_id = i.id";

static const char *const payment_order_sql =
	"INSERT INTO demo_ord (pid) SELECT id FROM demo_pay ORDER BY pdate, id";
static const char *const payment_first_sql =
	"INSERT INTO demo_first SELECT 'PAY', DATE_FORMAT(p.pdate, '%Y%m'), MIN(o.rk) "
	"FROM demo_ord o JOIN demo_pay p ON p.id = o.pid GROUP BY 2";

static const char *const payments_sql =
	"INSERT INTO payments (uuid, tenant_id, customer_id, invoice_id, subscription_id, plan_id, "
	"router_id, payment_number, amount, payment_method, status, payment_date, external_id, "
	"transaction_id, reference, notes, created_at, updated_at) "
	"SELECT STRAIGHT_JOIN UUID(), {T}, p.cid, v.real_id, p.sid, p.plan_id, p.router_id, "
	NUMBER("PAY", "f.per", PAY_N) ", p.amount_c / 100, " PAY_METHOD ", p.status, p.pdate, "
	"IF(" PAY_METHOD " IN ('mpesa', 'mobile_money'), CONCAT('ws_CO_', DATE_FORMAT(p.pdate, "
	"'%d%m%Y%H%i%s'), LPAD(" PAY_U " % 100000, 5, '0')), NULL), "
	"CASE WHEN p.status = 'failed' OR (p.status = 'pending' AND " PAY_METHOD " <> 'bank_transfer') "
	"THEN NULL WHEN " PAY_METHOD " IN ('mpesa', 'mobile_money') THEN CONCAT(CHAR(GREATEST(65, "
	"LEAST(90, 59 + YEAR(p.pdate) - 2000)), 64 + MONTH(p.pdate) USING ascii), "
	"LPAD(CONV(" PAY_MIX ", 10, 36), 8, '0')) "
	"WHEN " PAY_METHOD " IN ('bkash', 'nagad', 'rocket') THEN CONCAT(CHAR(65 + " PAY_U " % 26, "
	"65 + (" PAY_U " DIV 26) % 26 USING ascii), LPAD(CONV(" PAY_MIX ", 10, 36), 8, '0')) "
	"WHEN " PAY_METHOD " = 'bank_transfer' THEN CONCAT('FT', DATE_FORMAT(p.pdate, '%y%j'), "
	"LPAD(CONV(" PAY_MIX ", 10, 36), 8, '0')) END, "
	"CASE " PAY_METHOD " WHEN 'cash' THEN CONCAT('RCPT-', LPAD(" PAY_U " % 1000000, 6, '0')) "
	"WHEN 'bank_transfer' THEN CONCAT('TRF-', LPAD(" PAY_U " % 100000, 5, '0')) ELSE p.ref END, "
	"p.notes, p.pdate, IF(p.status = 'refunded', LEAST({NOW}, p.pdate + INTERVAL 1 DAY), p.pdate) "
	"FROM demo_ord o JOIN demo_pay p ON p.id = o.pid "
	"JOIN demo_first f ON f.kind = 'PAY' AND f.per = DATE_FORMAT(p.pdate, '%Y%m') "
	"LEFT JOIN demo_base b ON b.kind = 'PAY' AND b.period = f.per "
	"LEFT JOIN demo_ivs v ON v.id = p.iid ORDER BY o.rk";

static const char *const tickets_sql =
	"INSERT INTO tickets (uuid, tenant_id, ticket_number, customer_id, subject, description, "
	"priority, category, status, assigned_to, created_by, resolved_at, created_at, updated_at) "
	"SELECT UUID(), {T}, CONCAT('TKT-', z.per, '-', IF(z.n < 10000, LPAD(z.n, 4, '0'), z.n)), "
	"z.cid, z.subject, z.descr, z.prio, z.cat, z.st, IF(z.st = 'open' AND z.ht % 2 = 0, NULL, "
	"{ADMIN}), IF((z.ht DIV 2) % 3 = 0, NULL, {ADMIN}), z.resolved, z.created, "
	"COALESCE(z.resolved, z.created) "
	"FROM (SELECT y.*, IF(y.st IN ('resolved', 'closed'), LEAST({NOW}, y.created + "
	"INTERVAL (2 + y.ht % 70) HOUR), NULL) AS resolved, COALESCE(b.base, 0) + ROW_NUMBER() "
	"OVER (PARTITION BY y.per ORDER BY y.created, y.seq) AS n "
	"FROM (SELECT x.*, DATE_FORMAT(x.created, '%Y%m') AS per, "
	"CASE WHEN x.created < {NOW} - INTERVAL 14 DAY THEN CASE WHEN (x.ht DIV 100) % 100 < 60 "
	"THEN 'closed' WHEN (x.ht DIV 100) % 100 < 95 THEN 'resolved' ELSE 'in_progress' END "
	"ELSE CASE WHEN (x.ht DIV 100) % 100 < 45 THEN 'open' WHEN (x.ht DIV 100) % 100 < 75 "
	"THEN 'in_progress' ELSE 'resolved' END END AS st "
	"FROM (SELECT q.seq, d.cid, q.ht, {NOW} - INTERVAL (q.hu % 15552000) SECOND AS created, "
	"SUBSTRING_INDEX(w.w, '|', 1) AS cat, SUBSTRING_INDEX(SUBSTRING_INDEX(w.w, '|', 2), '|', -1) "
	"AS subject, SUBSTRING_INDEX(w.w, '|', -1) AS descr, ELT(1 + (q.hu DIV 7) % 20, 'low', 'low', "
	"'low', 'low', 'low', 'medium', 'medium', 'medium', 'medium', 'medium', 'medium', 'medium', "
	"'medium', 'medium', 'high', 'high', 'high', 'high', 'urgent', 'urgent') AS prio "
	"FROM (SELECT seq, CRC32(CONCAT('t:', {C0}, ':', seq)) AS ht, "
	"CRC32(CONCAT('u:', {C0}, ':', seq)) AS hu FROM seq_1_to_{K}) q "
	"JOIN demo_c d ON d.g = {C0} + 1 + q.ht % {N} "
	"JOIN demo_word w ON w.list = IF(d.ke, 'TKTKE', 'TKTBD') "
	"AND w.k = (q.hu DIV 1000) % IF(d.ke, {TKTKE}, {TKTBD})) x) y "
	"LEFT JOIN demo_base b ON b.kind = 'TKT' AND b.period = y.per) z ORDER BY z.created, z.seq";

static const char *const replies_sql =
	"INSERT INTO ticket_replies (tenant_id, ticket_id, user_id, message, is_internal, created_at, "
	"updated_at) "
	"SELECT {T}, t.id, IF(s.seq = 2, NULL, {ADMIN}), w.w, s.seq = 3, t.created_at + "
	"INTERVAL s.seq * (1 + CRC32(CONCAT('rp:', t.id)) % 5) HOUR, t.created_at + "
	"INTERVAL s.seq * (1 + CRC32(CONCAT('rp:', t.id)) % 5) HOUR "
	"FROM tickets t JOIN seq_1_to_3 s ON s.seq <= 1 + CRC32(CONCAT('rn:', t.id)) % 3 "
	"AND t.created_at + INTERVAL s.seq * (1 + CRC32(CONCAT('rp:', t.id)) % 5) HOUR <= {NOW} "
	"JOIN demo_word w ON w.list = ELT(s.seq, 'RSTAFF', 'RCUST', 'RNOTE') "
	"AND w.k = CRC32(CONCAT('rw:', t.id, ':', s.seq)) % ELT(s.seq, {RSTAFF}, {RCUST}, {RNOTE}) "
	"WHERE t.tenant_id = {T} AND t.id > {TK0} ORDER BY t.id, s.seq";

static const char *const leads_sql =
	"INSERT INTO leads (uuid, tenant_id, name, email, phone, company, address, source, status, "
	"notes, assigned_to, created_at, updated_at) "
	"SELECT UUID(), {T}, CONCAT(f.w, ' ', l.w), IF(x.h2 % 100 < 50, CONCAT(" SLUG("f.w") ", '.', "
	SLUG("l.w") ", '@', m.w), NULL), "
	"IF(x.ke, CONCAT('2547', LPAD(((x.seq + {C0}) * 48271349 + 31415927) % 100000000, 8, '0')), "
	"CONCAT('8801', ELT(1 + x.h3 % 7, '7', '3', '9', '4', '8', '6', '5'), "
	"LPAD(((x.seq + {C0}) * 48271349 + 31415927) % 100000000, 8, '0'))), "
	"IF((x.h3 DIV 10) % 100 < 30, CONCAT(l.w, ' ', b.w), NULL), "
	"IF(x.ke, CONCAT(e.w, ', Nairobi'), CONCAT(t.thana, ', ', t.district)), src.w, x.st, nt.w, "
	"IF(x.st = 'new', NULL, {ADMIN}), x.created, IF(x.st = 'new', x.created, "
	"LEAST({NOW}, x.created + INTERVAL (x.h4 % 20) DAY)) "
	"FROM (SELECT y.*, CASE WHEN (y.h4 DIV 100) % 15552000 < 1209600 THEN "
	"CASE WHEN y.h4 % 100 < 60 THEN 'new' WHEN y.h4 % 100 < 90 THEN 'contacted' ELSE 'qualified' END "
	"WHEN y.h4 % 100 < 15 THEN 'new' WHEN y.h4 % 100 < 40 THEN 'contacted' "
	"WHEN y.h4 % 100 < 60 THEN 'qualified' WHEN y.h4 % 100 < 80 THEN 'converted' ELSE 'lost' END "
	"AS st, {NOW} - INTERVAL ((y.h4 DIV 100) % 15552000) SECOND AS created "
	"FROM (SELECT seq, CRC32(CONCAT('l1:', {C0}, ':', seq)) % 100 < 65 AS ke, "
	"CRC32(CONCAT('l2:', {C0}, ':', seq)) AS h2, CRC32(CONCAT('l3:', {C0}, ':', seq)) AS h3, "
	"CRC32(CONCAT('l4:', {C0}, ':', seq)) AS h4 FROM seq_1_to_{L}) y) x "
	"JOIN demo_word f ON f.list = IF(x.ke, 'KEF', 'BDF') "
	"AND f.k = (x.h2 DIV 100) % IF(x.ke, {KEF}, {BDF}) "
	"JOIN demo_word l ON l.list = IF(x.ke, 'KEL', 'BDL') "
	"AND l.k = (x.h2 DIV 10000) % IF(x.ke, {KEL}, {BDL}) "
	"JOIN demo_word m ON m.list = 'MAIL' AND m.k = (x.h3 DIV 1000) % {MAIL} "
	"JOIN demo_word b ON b.list = IF(x.ke, 'KEBIZ', 'BDBIZ') "
	"AND b.k = (x.h3 DIV 100000) % IF(x.ke, {KEBIZ}, {BDBIZ}) "
	"JOIN demo_word src ON src.list = 'LSRC' AND src.k = (x.h2 DIV 1000000) % {LSRC} "
	"JOIN demo_word nt ON nt.list = 'LNOTE' AND nt.k = (x.h3 DIV 10000000) % {LNOTE} "
	"LEFT JOIN demo_word e ON x.ke = 1 AND e.list = 'ESTNBI' AND e.k = (x.h4 DIV 7) % {ESTNBI} "
	"LEFT JOIN demo_thana t ON x.ke = 0 AND t.tkey = (x.h4 DIV 7) % {NT} ORDER BY x.created";

/* the counters end at the highest number this run used */
static const char *const counters_sql[] = {
	"INSERT INTO number_counters (tenant_id, kind, period, last) SELECT {T}, 'INV', "
	"SUBSTRING(invoice_number, 5, 6), MAX(CAST(SUBSTRING(invoice_number, 12) AS UNSIGNED)) "
	"FROM invoices WHERE tenant_id = {T} AND id > {INV0} GROUP BY 3 "
	"ON DUPLICATE KEY UPDATE last = GREATEST(last, VALUES(last))",
	"INSERT INTO number_counters (tenant_id, kind, period, last) SELECT {T}, 'PAY', "
	"SUBSTRING(payment_number, 5, 6), MAX(CAST(SUBSTRING(payment_number, 12) AS UNSIGNED)) "
	"FROM payments WHERE tenant_id = {T} AND id > {P0} GROUP BY 3 "
	"ON DUPLICATE KEY UPDATE last = GREATEST(last, VALUES(last))",
	"INSERT INTO number_counters (tenant_id, kind, period, last) SELECT {T}, 'TKT', "
	"SUBSTRING(ticket_number, 5, 6), MAX(CAST(SUBSTRING(ticket_number, 12) AS UNSIGNED)) "
	"FROM tickets WHERE tenant_id = {T} AND id > {TK0} GROUP BY 3 "
	"ON DUPLICATE KEY UPDATE last = GREATEST(last, VALUES(last))",
	"INSERT INTO number_counters (tenant_id, kind, period, last) SELECT {T}, 'CUS', '000000', "
	"MAX(CAST(SUBSTRING(account_number, 6) AS UNSIGNED)) FROM customers "
	"WHERE tenant_id = {T} AND id > {CU0} HAVING COUNT(*) > 0 "
	"ON DUPLICATE KEY UPDATE last = GREATEST(last, VALUES(last))",
};

static long long
clampll(long long v, long long lo, long long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Inside the transaction: every step above in order. */
static int
generate(struct gen *g, long long tenant, struct demo_counts *out)
{
	const struct demo_opts *o = g->o;
	long long n, have, nh, fill, x;

	/* the tenant's numbers are ours until the commit: creators queue */
	if (scalar(g, "SELECT COUNT(*) FROM number_counters WHERE tenant_id = {T} FOR UPDATE",
	    &x) < 0)
		return -1;
	if (scalar(g, "SELECT COALESCE(MAX(id), 0) FROM invoices", &x) < 0)
		return -1;
	setint(g, "INV0", x);
	if (scalar(g, "SELECT COALESCE(MAX(id), 0) FROM payments", &x) < 0)
		return -1;
	setint(g, "P0", x);
	if (scalar(g, "SELECT COALESCE(MAX(id), 0) FROM tickets", &x) < 0)
		return -1;
	setint(g, "TK0", x);
	if (scalar(g, "SELECT COALESCE(MAX(id), 0) FROM customers", &x) < 0)
		return -1;
	setint(g, "CU0", x);

	for (size_t i = 0; i < sizeof(temp_tables) / sizeof(temp_tables[0]); i++)
		if (run(g, "-temporary tables", temp_tables[i], NULL) < 0)
			return -1;
	if (load_base(g) < 0)
		return -1;
	if (scalar(g, "SELECT COALESCE(MAX(base), 0) FROM demo_base WHERE kind = 'CUS'", &x) < 0)
		return -1;
	setint(g, "C0", x);
	if (load_words(g) < 0 || load_places(g, out) < 0)
		return -1;
	if ((x = load_network(g, tenant, out)) != 0)
		return (int)x;

	if (run(g, "customer choices", hashes_sql, NULL) < 0 ||
	    run(g, "customer details", customers_stage_sql, &n) < 0)
		return -1;
	if (n != o->customers) {
		snprintf(g->err, g->errlen, "internal error: %lld of %lld customers staged", n,
		    o->customers);
		return -1;
	}
	if (run(g, "subscription dates (PPPoE)", pppoe_dates_sql, NULL) < 0 ||
	    run(g, "-dates", pppoe_fix1_sql, NULL) < 0 ||
	    run(g, "-dates", pppoe_fix2_sql, NULL) < 0 ||
	    run(g, "subscription dates (hotspot)", hotspot_dates_sql, NULL) < 0 ||
	    run(g, "customers", customers_sql, &out->customers) < 0 ||
	    /* a table loaded in bulk looks empty to the optimizer until analysed */
	    run(g, "-customer ids", "UPDATE demo_c d STRAIGHT_JOIN customers c FORCE INDEX "
	    "(uq_customers_account) ON c.tenant_id = {T} AND c.account_number = d.acct "
	    "SET d.cid = c.id", NULL) < 0 ||
	    run(g, "subscriptions", subscriptions_sql, &out->subscriptions) < 0 ||
	    run(g, "-subscription ids", "UPDATE demo_c d STRAIGHT_JOIN subscriptions s FORCE INDEX "
	    "(uq_subscriptions_username) ON s.tenant_id = {T} AND s.username = d.uname "
	    "SET d.sid = s.id WHERE d.has_sub = 1", NULL) < 0 ||
	    run(g, "invoices (staged)", invoices_stage_sql, NULL) < 0 ||
	    run(g, "-invoice numbers", invoice_first_sql, NULL) < 0 ||
	    run(g, "invoice numbers", invoice_numbers_sql, NULL) < 0 ||
	    run(g, "invoice payments (staged)", invoice_payments_sql, NULL) < 0 ||
	    run(g, "hotspot activations (staged)", activation_payments_sql, NULL) < 0)
		return -1;

	/* the rest of the payments: hotspot passes bought over the year */
	if (scalar(g, "SELECT COUNT(*) FROM demo_pay", &have) < 0)
		return -1;
	fill = o->payments - have;
	if (fill > 0) {
		if (scalar(g, "SELECT COUNT(*) FROM demo_c WHERE has_sub = 1 AND kind = 1", &nh) < 0)
			return -1;
		setint(g, "HOTKIND", nh > 0 ? 1 : 2);
		setint(g, "FALLBACK", nh > 0 ? 0 : 1);
		if (run(g, "-buyers", hot_sql, &nh) < 0)
			return -1;
		if (nh > 0) {
			setint(g, "NH", nh);
			setint(g, "F", fill);
			if (run(g, "hotspot purchases (staged)", fill_payments_sql, NULL) < 0)
				return -1;
		}
	} else if (fill < 0) {
		/* fewer payments wanted than the invoices need: keep the most
		 * important (invoice payments, then activations); the invoices
		 * follow what was kept */
		setint(g, "M", o->payments);
		if (run(g, "-trim", "CREATE TEMPORARY TABLE demo_keep (id INT UNSIGNED NOT NULL PRIMARY KEY) "
		    "ENGINE=InnoDB SELECT id FROM demo_pay ORDER BY prio, ord LIMIT {M}", NULL) < 0 ||
		    run(g, "-trim", "DELETE p FROM demo_pay p LEFT JOIN demo_keep k ON k.id = p.id "
		    "WHERE k.id IS NULL", NULL) < 0)
			return -1;
	}
	if (run(g, "invoice paid amounts", invoice_paid_sql, NULL) < 0 ||
	    run(g, "invoices", invoices_sql, &out->invoices) < 0 ||
	    run(g, "invoice ids", invoice_ids_sql, NULL) < 0 ||
	    run(g, "payment order", payment_order_sql, NULL) < 0 ||
	    run(g, "-payment numbers", payment_first_sql, NULL) < 0 ||
	    run(g, "payments", payments_sql, &out->payments) < 0)
		return -1;

	setint(g, "K", o->customers < 5 ? o->customers : clampll(o->customers / 40, 5, 5000));
	setint(g, "L", clampll(o->customers / 25, 5, 4000));
	if (run(g, "tickets", tickets_sql, &out->tickets) < 0 ||
	    run(g, "ticket replies", replies_sql, &out->replies) < 0 ||
	    run(g, "leads", leads_sql, &out->leads) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(counters_sql) / sizeof(counters_sql[0]); i++)
		if (run(g, "number counters", counters_sql[i], NULL) < 0)
			return -1;
	/* the summaries' triggers were silent (demo_run): the tenant's figures
	 * from its rows, once */
	return run(g, "summaries", "CALL isp_rebuild_summaries({T})", NULL);
}

int
demo_generate(struct db *db, const struct demo_opts *o, struct demo_counts *out,
    char *err, size_t errlen)
{
	const char *code = o->tenant_code ? o->tenant_code : "default";
	struct gen g;
	struct db_result r;
	long long tenant, existing;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	g.db = db;
	g.o = o;
	g.err = err;
	g.errlen = errlen;
	g.t0 = time_mono_ms();
	arena_init(&g.a);
	buf_reset(&g.sql);
	err[0] = '\0';

	if (o->customers < 1 || o->customers > DEMO_MAX_CUSTOMERS ||
	    o->payments < 0 || o->payments > DEMO_MAX_PAYMENTS) {
		snprintf(err, errlen, "--customers must be 1 to %lld and --payments 0 to %lld",
		    DEMO_MAX_CUSTOMERS, DEMO_MAX_PAYMENTS);
		rc = 1;
		goto out;
	}
	{
		struct db_param p[1] = { db_str(code) };

		if (db_query(db, &g.a, "SELECT id FROM tenants WHERE code = ? AND deleted_at IS NULL",
		    p, 1, &r) < 0) {
			snprintf(err, errlen, "looking up the tenant: %s", db->errmsg);
			goto out;
		}
	}
	if (r.nrows == 0) {
		snprintf(err, errlen, "no tenant with code \"%s\" (create-admin makes the default "
		    "one)", code);
		rc = 1;
		goto out;
	}
	tenant = db_val_int(&r, 0, 0, 0);
	out->tenant_id = tenant;
	{
		struct db_param p[1] = { db_int(tenant) };

		if (db_query(db, &g.a, "SELECT COUNT(*) FROM customers WHERE tenant_id = ?", p, 1, &r) < 0) {
			snprintf(err, errlen, "counting customers: %s", db->errmsg);
			goto out;
		}
		existing = db_val_int(&r, 0, 0, 0);
	}
	if (existing > 0 && !o->append) {
		snprintf(err, errlen, "tenant \"%s\" already has %lld customers; nothing done "
		    "(--append adds more)", code, existing);
		rc = 1;
		goto out;
	}
	{
		struct db_param p[1] = { db_int(tenant) };

		if (db_query(db, &g.a, "SELECT id FROM users WHERE tenant_id = ? AND deleted_at IS NULL "
		    "AND is_active = 1 ORDER BY user_type = 'super_admin' DESC, user_type = 'admin' DESC, "
		    "id LIMIT 1", p, 1, &r) < 0) {
			snprintf(err, errlen, "looking up staff: %s", db->errmsg);
			goto out;
		}
		if (r.nrows)
			setvar(&g, "ADMIN", "%s", db_val(&r, 0, 0));
		else
			setvar(&g, "ADMIN", "NULL");
	}
	if (db_query(db, &g.a, "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f'), "
	    "DATE_FORMAT(UTC_DATE(), '%Y-%m-%d')", NULL, 0, &r) < 0) {
		snprintf(err, errlen, "reading the clock: %s", db->errmsg);
		goto out;
	}
	setvar(&g, "NOW", "TIMESTAMP'%s'", db_val(&r, 0, 0));
	setvar(&g, "TODAY", "DATE'%s'", db_val(&r, 0, 1));
	setint(&g, "T", tenant);
	setint(&g, "N", o->customers);

	/* Every reference made here is right by construction, and in a tenant
	 * without customers so is every per-tenant unique value (the uuids come
	 * from UUID()).  Without the checks InnoDB loads empty tables in bulk,
	 * sorted, several times faster.  Adding to a tenant (--append) keeps
	 * the unique checks: its own rows are not ours. */
	if (db_exec(db, existing > 0 ? "SET SESSION foreign_key_checks = 0" :
	    "SET SESSION foreign_key_checks = 0, unique_checks = 0") < 0 ||
	    db_exec(db, "SET @ispbill_no_summaries = 1") < 0 || db_begin(db) < 0) {
		snprintf(err, errlen, "starting: %s", db->errmsg);
		goto out;
	}
	rc = generate(&g, tenant, out);
	if (rc == 0 && db_commit(db) < 0) {
		snprintf(err, errlen, "commit: %s", db->errmsg);
		rc = -1;
	}
	if (rc != 0)
		db_rollback(db);
	if (db->conn) {
		db_exec(db, drop_temp);
		db_exec(db, "SET SESSION foreign_key_checks = 1, unique_checks = 1");
		db_exec(db, "SET @ispbill_no_summaries = NULL");
	}
	/* tables filled from empty keep "empty" statistics for a while: plans
	 * made meanwhile would be bad */
	if (rc == 0 && db_exec(db, "ANALYZE TABLE customers, subscriptions, invoices, payments, "
	    "tickets, ticket_replies, leads") < 0) {
		snprintf(err, errlen, "analyze: %s", db->errmsg);
		rc = -1;
	}
out:
	out->secs = (time_mono_ms() - g.t0) / 1000.0;
	buf_free(&g.sql);
	arena_free(&g.a);
	return rc;
}
