"""A lived-in demo circle: a dozen members across time zones and a few weeks of conversation.

Everything is created through the domain (User.register, Circle.found, Membership.join,
Thread.start, thread.reply) with the clock set back in time, so the demo holds exactly what real
use would have produced.
"""
import datetime as dt
import textwrap
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import peewee

from . import clock
from .accounts.models import DEMO_USERNAME_PREFIX, User
from .circles.models import FACILITATOR, PUBLIC, Circle, Membership
from .db import database
from .discussions.models import DISCUSSION, QUESTION, Thread

DEMO_PASSWORD = "demo-password"
CIRCLE_NAME = "Data Science Study Circle"
CIRCLE_SLUG = "data-science-study-circle"
OWNER = "amara"  # keys of PEOPLE
FACILITATORS = ("lukas",)


def md(source):
    return textwrap.dedent(source).strip() + "\n"


@dataclass(frozen=True)
class Person:
    key: str  # how the threads below name the person
    display_name: str
    timezone: str
    pronouns: str = ""
    bio: str = ""

    @property
    def username(self):
        """The account's username: in the demo's own namespace, which registration refuses to others."""
        return DEMO_USERNAME_PREFIX + self.key


@dataclass(frozen=True)
class ThreadSeed:
    author: str
    kind: str
    title: str
    days_ago: int
    local_hour: int  # in the author's own zone: people post when they are awake
    body: str
    # (author, hours after the previous post, body)
    replies: tuple = field(default_factory=tuple)
    pinned: bool = False


PEOPLE = (
    Person("amara", "Amara Okafor", "Africa/Lagos", "she/her", md("""
        Data analyst at a logistics company in Lagos. I started this circle because I learn best by
        explaining things to others. Ask me about **pandas** `groupby` — or about jollof rice.
    """)),
    Person("lukas", "Lukas Brandt", "Europe/Berlin", "he/him", md("""
        Statistics teacher at an adult-education centre in Berlin. I facilitate the weekly projects.
        Favourite chart: a plain, well-labelled bar chart.
    """)),
    Person("priya", "Priya Raman", "Asia/Kolkata", "she/her", md("""
        Civil engineer in Chennai moving into climate data. Currently learning:
        - pandas and xarray
        - how to say *no* to pie charts
    """)),
    Person("joao", "João Pereira", "America/Sao_Paulo", "", md("""
        Backend developer in São Paulo, curious about the numbers behind the products I build.
    """)),
    Person("mei", "Mei Takahashi", "Asia/Tokyo", "", md("""
        Nurse and part-time public-health student in Osaka. I like messy survey data more than I should.
    """)),
    Person("sam", "Sam Rivera", "America/Los_Angeles", "they/them", md("""
        Community-college librarian in Oakland. Here to learn enough Python to stop fighting spreadsheets.
    """)),
    Person("olivia", "Olivia Brooks", "Australia/Sydney", "she/her", md("""
        Marketing analyst in Sydney. Usually posting while the rest of you sleep. ☕
    """)),
    Person("kwame", "Kwame Mensah", "Africa/Accra", "he/him", md("""
        Economics graduate in Accra, preparing for a research-assistant job.
    """)),
    Person("ines", "Inés García", "Europe/Madrid", "", md("""
        Journalist in Madrid learning data journalism. Charts or it didn't happen.
    """)),
    Person("weiling", "Wei Ling Tan", "Asia/Singapore", "she/her", md("""
        Product manager in Singapore. I want to read A/B test results without squinting.
    """)),
    Person("fatima", "Fatima Zahra Alaoui", "Africa/Casablanca", "", md("""
        Operations coordinator in Casablanca, learning to measure what our delivery team does.
    """)),
    Person("marcus", "Marcus Hill", "America/New_York", "he/him", md("""
        High-school maths teacher in Philadelphia, brushing up on statistics before teaching it.
    """)),
)

PURPOSE = "Learn practical data analysis by doing small weekly projects together."

GOALS = md("""
    By the end of our eight weeks, each of us should be able to:

    1. Load, clean and explore a real data set with **pandas**.
    2. Make one honest chart a week and explain it in a short paragraph.
    3. Give kind, specific feedback on someone else's notebook.
    4. Present a small end-to-end analysis of a public data set.

    About three hours a week is enough. No statistics background needed.
""")

THREADS = (
    ThreadSeed("amara", DISCUSSION, "Start here: how this circle works", 38, 9, md("""
        Welcome! 👋 This circle is for learning practical data analysis by **doing small weekly projects
        together**. You don't need a statistics background — curiosity and about three hours a week are enough.

        ## How a week works

        1. **Monday:** a facilitator opens a *Week N* thread with a data set and one question to answer.
        2. **During the week:** work on it in a notebook. Stuck? Start a **Question** thread so the answer
           helps the next person too.
        3. **Sunday:** reply in the week's thread with one chart and a paragraph about what you found.

        ## Where to find things

        | You want to… | Go to |
        |---|---|
        | see this week's project | the newest thread titled "Week N: …" |
        | ask for help | start a thread and choose **Question** |
        | share reading and courses | "Resources thread" |
        | find a study buddy in your time zone | "Study buddy across time zones?" |

        ## Asking a good question

        - Say what you tried and what you expected to happen.
        - Paste the smallest piece of code that shows the problem, in a code block:

          ```python
          df.groupby("city")["price"].mean()
          ```

        - Include the whole error message, not only the last line.

        Please read the code of conduct on the join page, then **introduce yourself below**: where you are,
        what you work on, and one thing you would love to analyse.
    """), replies=(
        ("lukas", 2, md("""
            Hallo from Berlin! I teach statistics to adults and I'll be posting the weekly projects.
            I'd love to analyse our city's bike counters — more on that on Monday. 🚲
        """)),
        ("priya", 9, md("""
            Hi all, Priya from Chennai. Civil engineer, and I want to understand monsoon rainfall records
            better than the newspaper charts do.
        """)),
        ("joao", 6, md("""
            Olá! João, backend dev in São Paulo. I want to analyse our app's support tickets — what people
            complain about and when.
        """)),
        ("olivia", 5, md("""
            G'day from Sydney! Marketing analyst. Spreadsheet power user, Python beginner. Goal: stop
            copy-pasting pivot tables every Monday.
        """)),
        ("sam", 14, md("""
            Hi, I'm Sam (they/them), a librarian in Oakland. I'd like to find out which of our branches'
            programmes actually bring people back.
        """)),
        ("fatima", 20, md("""
            Salam from Casablanca 👋 I coordinate deliveries and want to understand why some routes are
            always late.
        """)),
        ("marcus", 24 * 25, md("""
            I realise I never introduced myself — hi from Philadelphia! I teach maths to 16-year-olds and
            I'm refreshing my statistics before teaching it. The *Week 3* thread alone was worth joining for.
        """)),
    ), pinned=True),

    ThreadSeed("priya", QUESTION, "Which Python setup should I use: Anaconda, venv or Colab?", 36, 20, md("""
        I've seen all three recommended. I'm on a Windows laptop with 8 GB of RAM. Which one will cause
        the least trouble for the weekly projects?
    """), replies=(
        ("lukas", 3, md("""
            Any of them works; pick the one with the fewest moving parts for you:

            - **Colab**: nothing to install, runs in the browser. Great for the first weeks.
            - **venv + pip**: small and standard, see the [venv docs](https://docs.python.org/3/library/venv.html).
            - **Anaconda**: big download, but it bundles everything.

            On your laptop I'd start with a venv:

            ```bash
            python -m venv .venv
            .venv\\Scripts\\activate
            pip install pandas matplotlib jupyterlab
            jupyter lab
            ```
        """)),
        ("joao", 4, md("""
            +1 for the venv. One tip: put the `pip install` line in a `requirements.txt` so you can rebuild
            it in a minute when something breaks.
        """)),
        ("priya", 10, md("""
            Thank you both — venv it is. `jupyter lab` opened on the first try. 🎉
        """)),
    )),

    ThreadSeed("lukas", DISCUSSION, "Week 1: Exploring Berlin bike counter data", 35, 8, md("""
        Our first project! Berlin publishes hourly counts from its bicycle counting stations on the
        [open data portal](https://daten.berlin.de/). I've put a cleaned extract for one year in the
        circle's shared folder.

        **This week's question:** *On which days of the week do people cycle most, and does the weather
        seem to matter?*

        A starting point:

        ```python
        import pandas as pd

        counts = pd.read_csv("bike_counts_2024.csv", parse_dates=["timestamp"])
        daily = counts.set_index("timestamp").resample("D")["count"].sum()
        daily.groupby(daily.index.day_name()).mean().sort_values()
        ```

        Share one chart and a paragraph by Sunday. Small and honest beats big and fancy.
    """), replies=(
        ("amara", 30, md("""
            Tuesdays and Wednesdays win at my station, weekends are about 40 % lower. My guess: commuters.
            I haven't joined the weather yet.
        """)),
        ("mei", 22, md("""
            I split weekdays and weekends and plotted them separately — the weekend curve peaks at 14:00
            instead of 08:00 and 17:00. Two completely different kinds of cycling!
        """)),
        ("lukas", 12, md("""
            Lovely, Mei — that's exactly the kind of finding a plain average hides. Next week we'll see how
            to put both curves in one readable chart.
        """)),
    )),

    ThreadSeed("joao", QUESTION, "Why does read_csv turn my dates into strings?", 33, 21, md("""
        After `pd.read_csv("tickets.csv")` my `created` column has dtype `object` and sorting gives
        nonsense (`"10/01/2024"` before `"2/01/2024"`). What am I missing?
    """), replies=(
        ("amara", 11, md("""
            `read_csv` only parses dates when you ask. Your dates are day-first, so say so:

            ```python
            tickets = pd.read_csv("tickets.csv")
            tickets["created"] = pd.to_datetime(tickets["created"], format="%d/%m/%Y")
            tickets["created"].dtype   # datetime64[ns]
            ```

            Giving an explicit `format` is faster and fails loudly on a bad row instead of guessing.
        """)),
        ("joao", 3, md("""
            That was it, thanks! Sorting works and `.dt.day_name()` works now too.
        """)),
    )),

    ThreadSeed("sam", QUESTION, "SettingWithCopyWarning — what am I doing wrong?", 31, 19, md("""
        This line gives me a scary warning:

        ```python
        recent = visits[visits["year"] >= 2023]
        recent["branch"] = recent["branch"].str.title()
        ```

        > SettingWithCopyWarning: A value is trying to be set on a copy of a slice from a DataFrame.

        Did it change `visits` or not?
    """), replies=(
        ("lukas", 9, md("""
            It changed `recent` and *maybe* not `visits` — pandas can't promise which, hence the warning.
            Say what you mean with an explicit copy:

            ```python
            recent = visits[visits["year"] >= 2023].copy()
            recent["branch"] = recent["branch"].str.title()
            ```

            or, to change the original, use `.loc` on it:

            ```python
            visits.loc[visits["year"] >= 2023, "branch"] = visits["branch"].str.title()
            ```
        """)),
        ("sam", 16, md("""
            `.copy()` it is. The warning makes sense now, thank you!
        """)),
    )),

    ThreadSeed("lukas", DISCUSSION, "Week 2: Cleaning messy survey data", 28, 8, md("""
        This week: a real, messy survey about how people learn new skills (2,000 answers, free-text
        fields, typos, "N/A" in five spellings).

        **Question:** *Which learning channels do people in different age groups prefer?*

        Before any chart, write down every cleaning step you take — that list is half the result.
        Things to look out for:

        - `"N/A"`, `"n/a"`, `"-"` and empty strings that all mean *missing*
        - ages typed as `"35 years"` or `"thirty"`
        - one question answered with several comma-separated choices
    """), replies=(
        ("kwame", 26, md("""
            My cleaning list so far:

            1. `na_values=["N/A", "n/a", "-", ""]` in `read_csv`
            2. `pd.to_numeric(df["age"].str.extract(r"(\\d+)")[0], errors="coerce")`
            3. `str.split(",").explode()` for the multi-choice column

            Step 3 turned 2,000 rows into 5,100. Is that expected?
        """)),
        ("lukas", 5, md("""
            Yes — one row per (person, choice) after `explode`. Just remember to count **people**, not
            rows, when you compute shares: `df.groupby("age_group")["respondent_id"].nunique()`.
        """)),
        ("ines", 40, md("""
            Under-25s pick video tutorials; over-55s pick courses with a teacher. Surprisingly few
            differences in between. Chart coming in the show-and-tell thread!
        """)),
    )),

    ThreadSeed("mei", QUESTION, "How do I handle missing values without throwing away half the rows?", 27, 22, md("""
        `df.dropna()` leaves me with 900 of 2,000 survey answers. Most rows miss just one optional
        question. What do people usually do?
    """), replies=(
        ("amara", 8, md("""
            Decide per column, not for the whole table. A rough guide:

            | Situation | What to do |
            |---|---|
            | the column isn't needed for this question | ignore its gaps (`dropna(subset=[...])` on the columns you use) |
            | a few gaps in a numeric column | fill with the median, and say so |
            | "missing" means something ("didn't answer income") | keep it as its own category |
            | most of the column is missing | leave the column out |

            ```python
            answers = survey.dropna(subset=["age", "channel"])
            answers["income"] = answers["income"].fillna("not given")
            ```

            Whatever you do, report how many rows you used.
        """)),
        ("mei", 12, md("""
            `dropna(subset=…)` keeps 1,870 rows. That's much better, thank you!
        """)),
        ("marcus", 20, md("""
            Saving this table for my students. 🙏
        """)),
    )),

    ThreadSeed("olivia", DISCUSSION, "Resources thread: books, courses and blogs we found useful", 26, 20, md("""
        Let's collect what actually helped us (not just what's popular). I'll start:

        - [Python for Data Analysis, 3rd edition](https://wesmckinney.com/book/) — free online, by
          the author of pandas.
        - [The pandas user guide](https://pandas.pydata.org/docs/user_guide/) — better than its
          reputation.
        - [Fundamentals of Data Visualization](https://clauswilke.com/dataviz/) — why some charts lie.

        Add yours below, with one line on why it's good.
    """), replies=(
        ("marcus", 13, md("""
            [OpenIntro Statistics](https://www.openintro.org/book/os/) — free, clear, full of real data.
            I'm using chapters 5–6 to refresh confidence intervals.
        """)),
        ("weiling", 8, md("""
            The [seaborn tutorial](https://seaborn.pydata.org/tutorial.html) — short and it explains
            *why* each plot type exists.
        """)),
        ("ines", 19, md("""
            For the journalists among us: the *Data Journalism Handbook* chapters on checking data
            before you trust it.
        """)),
    )),

    ThreadSeed("kwame", QUESTION, "groupby with several aggregations gives me a MultiIndex — how do I flatten it?", 24, 18, md("""
        ```python
        summary = df.groupby("region").agg({"sales": ["sum", "mean"], "orders": "count"})
        ```

        gives columns like `('sales', 'sum')`. I just want `sales_sum`, `sales_mean`, `orders_count`.
    """), replies=(
        ("joao", 4, md("""
            Named aggregation does exactly that and reads better:

            ```python
            summary = df.groupby("region").agg(
                sales_sum=("sales", "sum"),
                sales_mean=("sales", "mean"),
                orders_count=("orders", "count"),
            )
            ```
        """)),
        ("kwame", 2, md("""
            Perfect — and no more tuples in my plots' labels. Thanks João!
        """)),
    )),

    ThreadSeed("lukas", DISCUSSION, "Week 3: One honest chart", 21, 8, md("""
        This week is about **one** chart, made well. Pick any result from weeks 1–2 and make the chart a
        stranger would understand in ten seconds:

        1. A title that states the finding ("Weekend cycling peaks in the afternoon"), not the variables.
        2. Labelled axes with units.
        3. No 3-D, no dual axes, no rainbow palettes.
        4. Start bar charts at zero.

        Post a before and an after if you can. Feedback should say one thing that works and one thing
        to try next.
    """), replies=(
        ("ines", 20, md("""
            Before: a pie chart with nine slices. After: a sorted horizontal bar chart with the three
            largest groups highlighted. My editor approved. 😄
        """)),
        ("weiling", 7, md("""
            Works: the title tells me the finding. To try: the grey of the other bars is so light it
            disappears on my screen — maybe one shade darker?
        """)),
        ("sam", 18, md("""
            Mine shows return visits per branch programme. I learned that sorting the bars did more than
            any colour choice.
        """)),
    )),

    ThreadSeed("ines", QUESTION, "Matplotlib, seaborn or plotly for the weekly charts?", 19, 11, md("""
        I keep switching between the three and losing time. Does the circle have a preference?
    """), replies=(
        ("lukas", 6, md("""
            No rule, but a suggestion: **seaborn** for exploring (good defaults, one line per plot),
            **matplotlib** to polish the final chart (seaborn is matplotlib underneath, so `ax.set_title`
            etc. still work). Plotly when the chart lives on a web page and interaction helps.
        """)),
        ("olivia", 10, md("""
            Agree. I do everything in seaborn and then fix labels with matplotlib:

            ```python
            ax = sns.barplot(data=shares, x="share", y="channel", color="#4c72b0")
            ax.set(xlabel="Share of respondents (%)", ylabel="", title="Video leads for under-25s")
            ```
        """)),
    )),

    ThreadSeed("fatima", QUESTION, "Mean or median for skewed delivery times?", 17, 10, md("""
        Our delivery times are mostly 30–50 minutes, but a few take 4+ hours (vehicle breakdowns).
        My manager wants "the average delivery time". The mean is 71 minutes, the median 41.
        Which one should I report?
    """), replies=(
        ("amara", 5, md("""
            Report the **median** as the typical delivery, and report the long ones separately — they
            are a different problem. Something like:

            > Half of deliveries arrive within 41 minutes; 6 % take longer than 2 hours, mostly because
            > of breakdowns.

            The mean is pulled up by a handful of trips, so it describes almost nobody's delivery.
        """)),
        ("marcus", 9, md("""
            And a percentile or two tells the spread: `times.quantile([0.5, 0.9])`. "9 in 10 arrive within
            N minutes" is something a manager can act on.
        """)),
        ("fatima", 14, md("""
            Presented the median and the 90th percentile today. My manager now wants them every week. Thank you! 🙌
        """)),
    )),

    ThreadSeed("priya", DISCUSSION, "Show and tell: my monsoon rainfall notebook", 15, 19, md("""
        I finally did the thing I joined for: 30 years of daily rainfall for Chennai, aggregated per
        monsoon season. Summary:

        | Season | Mean rainfall (mm) | Wettest year |
        |---|---:|---|
        | South-west (Jun–Sep) | 448 | 2005 |
        | North-east (Oct–Dec) | 842 | 2015 |

        The north-east monsoon matters far more here, which surprised my colleagues from the north.
        Feedback welcome, especially on the chart's colours!
    """), replies=(
        ("lukas", 7, md("""
            Works: the table puts the surprise right up front. To try: show the year-to-year spread too —
            a strip plot of the 30 seasons would show how unusual 2015 was.
        """)),
        ("mei", 3, md("""
            Beautiful notebook. The colours are fine for me, but a colour-blind check can't hurt:
            matplotlib's `cividis` colormap is designed for that.
        """)),
    )),

    ThreadSeed("lukas", DISCUSSION, "Week 4: Joining two data sets (air quality and weather)", 14, 8, md("""
        Two tables this week: hourly air-quality readings and hourly weather for the same city.

        **Question:** *Is air quality worse on calm days?*

        You'll need `pd.merge` on the timestamp. Check the row counts before and after every join — a
        join that adds rows is telling you something.
    """), replies=(
        ("weiling", 28, md("""
            PM2.5 is about twice as high when wind speed is below 2 m/s. Time stamps needed rounding to
            the hour first: the weather station reports at :50.
        """)),
        ("kwame", 15, md("""
            Same result for Accra's data — I had to convert everything to UTC first because one file was
            in local time.
        """)),
    )),

    ThreadSeed("joao", QUESTION, "merge gives me more rows than either table — why?", 12, 20, md("""
        `air` has 8,760 rows, `weather` has 8,760 rows, and `air.merge(weather, on="hour")` has 9,430.
        How can a join create rows?
    """), replies=(
        ("amara", 13, md("""
            Some hours appear more than once in one of the tables (daylight-saving changes are a classic),
            so each of those rows matches several on the other side. Find them:

            ```python
            weather[weather.duplicated("hour", keep=False)].sort_values("hour")
            ```

            And make pandas check for you next time:

            ```python
            air.merge(weather, on="hour", validate="one_to_one")
            ```
        """)),
        ("joao", 5, md("""
            Daylight saving, of course. Converting to UTC before the merge fixed it: 8,760 rows. 🙂
        """)),
    )),

    ThreadSeed("weiling", QUESTION, "How do you keep notebooks tidy enough to share?", 10, 21, md("""
        My notebooks grow to 80 cells and only run top to bottom on a good day. How do you keep yours
        readable for feedback?
    """), replies=(
        ("marcus", 12, md("""
            What helps me:

            - **Restart and run all** before sharing. If it fails, so would the reader.
            - One heading per question, and a sentence under each chart saying what it shows.
            - Move helper functions into a `helpers.py` next to the notebook.
        """)),
        ("ines", 9, md("""
            And delete dead ends — or move them to a separate *scratch* notebook. Nobody needs to see my
            six attempts at a date format.
        """)),
    )),

    ThreadSeed("sam", DISCUSSION, "Study buddy across time zones? Pairing for week 5", 7, 17, md("""
        Would anyone like to pair up for week 5? I'm in California (UTC−8) and free on weekday
        evenings. Reply with your zone and a slot that suits you; I'll try to match people with
        an overlap.
    """), replies=(
        ("olivia", 6, md("""
            Sydney here — your Monday evening is my Tuesday afternoon, which works perfectly.
        """)),
        ("joao", 11, md("""
            São Paulo, evenings too. Happy to pair with anyone in the Americas.
        """)),
        ("sam", 4, md("""
            Great: Olivia and I on Monday, João and Marcus on Wednesday if Marcus is up for it?
        """)),
    )),

    ThreadSeed("lukas", DISCUSSION, "Week 5: Time series basics with resample()", 5, 8, md("""
        Back to the bike counters, now as a time series.

        ```python
        hourly = counts.set_index("timestamp")["count"]
        weekly = hourly.resample("W").sum()
        smoothed = weekly.rolling(4, center=True).mean()
        ```

        **Question:** *How big is the seasonal swing, and did anything unusual happen this year?*
    """), replies=(
        ("amara", 20, md("""
            Summer weeks are about three times winter weeks. One odd dip in May — a public holiday week
            plus a rainy one.
        """)),
    )),

    ThreadSeed("olivia", QUESTION, "How do I read a 2 GB CSV on an 8 GB laptop?", 3, 20, md("""
        Our web analytics export is 2 GB. `pd.read_csv` eats all my memory and the laptop freezes.
        I only need four of the forty columns.
    """)),

    ThreadSeed("kwame", QUESTION, "Why do my charts look blurry when I paste them into slides?", 2, 16, md("""
        Charts look sharp in the notebook but blurry in Google Slides. I save them with
        `plt.savefig("chart.png")`.
    """), replies=(
        ("kwame", 5, md("""
            Update: `dpi=200` helps a bit, but text is still soft when I enlarge the chart. Any ideas?
        """)),
    )),

    ThreadSeed("marcus", QUESTION, "Confidence interval for a proportion: which formula?", 1, 19, md("""
        For a class example: 38 of 120 surveyed students walk to school. The textbook formula
        p ± 1.96·√(p(1−p)/n) gives 0.317 ± 0.083. I've read that the Wilson interval is better for
        small samples — is it worth teaching to 16-year-olds, or is that overkill?
    """)),
)


class DemoExists(Exception):
    """The demo circle is already there; seeding again would duplicate it."""


class DemoUsernameTaken(Exception):
    """An account with a demo username or email already exists."""


@dataclass
class Demo:
    circle: Circle
    people: list
    thread_count: int


def seed(password=DEMO_PASSWORD):
    """Create the demo circle with its members and conversation in one transaction."""
    if Circle.by_slug(CIRCLE_SLUG) is not None:
        raise DemoExists(CIRCLE_SLUG)
    now = clock.now()
    start = now - dt.timedelta(days=42)
    try:
        with database.atomic():
            circle, people = _seed_people_and_circle(start, password)
            for seed_ in THREADS:
                _seed_thread(circle, people, seed_, now)
    except peewee.IntegrityError:
        taken = [person.username for person in PEOPLE if User.by_login(person.username)]
        raise DemoUsernameTaken(", ".join(taken) or "an email address") from None
    finally:
        clock.freeze(None)
    return Demo(circle=Circle.by_slug(CIRCLE_SLUG), people=list(PEOPLE), thread_count=len(THREADS))


def _seed_people_and_circle(start, password):
    users = {}
    for index, person in enumerate(PEOPLE):
        clock.freeze(start + dt.timedelta(hours=5 * index))
        user = User.register(username=person.username, email=f"{person.username}@demo.learncircle.invalid",
                             password=password, display_name=person.display_name, timezone=person.timezone)
        user.update_profile(display_name=person.display_name, bio=person.bio, timezone=person.timezone,
                            pronouns=person.pronouns)
        users[person.key] = user

    clock.freeze(start + dt.timedelta(days=2))
    circle = Circle.found(owner=users[OWNER], name=CIRCLE_NAME, slug=CIRCLE_SLUG, purpose=PURPOSE,
                          goals=GOALS, visibility=PUBLIC)
    for index, person in enumerate(PEOPLE):
        if person.key == OWNER:
            continue
        clock.freeze(start + dt.timedelta(days=2, hours=3 + 7 * index))
        membership = Membership.join(user=users[person.key], circle=circle)
        if person.key in FACILITATORS:
            membership.set_role(FACILITATOR)
    return circle, users


def _seed_thread(circle, users, seed_, now):
    minute = sum(map(ord, seed_.title)) % 60  # a stable, irregular minute: nobody posts on the hour
    moment = _local_moment(now - dt.timedelta(days=seed_.days_ago), seed_.local_hour, minute, users[seed_.author])
    clock.freeze(min(moment, now - dt.timedelta(hours=1)))
    thread = Thread.start(circle=circle, author=users[seed_.author], title=seed_.title, kind=seed_.kind,
                          body=seed_.body)
    if seed_.pinned:
        thread.set_pinned(True)
    for author, hours_later, body in seed_.replies:
        moment = _awake(clock.now() + dt.timedelta(hours=hours_later, minutes=7 * len(body) % 53),
                        users[author])
        clock.freeze(min(moment, now - dt.timedelta(minutes=10)))
        thread.reply(author=users[author], body=body)
    return thread


def _local_moment(day_utc, hour, minute, user):
    """The UTC moment of hour:minute on that day in the user's own zone."""
    zone = ZoneInfo(user.timezone)
    local_day = day_utc.replace(tzinfo=dt.timezone.utc).astimezone(zone)
    local = local_day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _awake(moment, user):
    """Move a moment that falls in the user's night to 7 o'clock their time the same morning."""
    zone = ZoneInfo(user.timezone)
    local = moment.replace(tzinfo=dt.timezone.utc).astimezone(zone)
    if local.hour < 7:
        local = local.replace(hour=7, minute=local.minute)
        return local.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment
