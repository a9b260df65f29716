# Leadline's interface in English. Every catalog has exactly these keys (a test checks it).

## Layout
skip-to-content = Skip to content
nav-label = Main
nav-dashboard = Dashboard
nav-contacts = Contacts
nav-companies = Companies
nav-deals = Deals
nav-import = Import
nav-settings = Settings
search = Search
search-label = Search
search-placeholder = Search names, e-mails, phones, companies…
search-results = Search results
search-title = Search: { $q }
search-hint = Type a name, an e-mail, a phone number or a company.
search-none = Nothing found.
search-more = Show all in the list
language = Language
language-apply = Change language
logout = Sign out

## Common words
save = Save
saved = Saved.
create = Create
cancel = Cancel
delete = Delete
apply = Apply
any = Any
yes = Yes
no = No
never = never
actions = Actions
older = Older entries
minutes = { $count ->
    [one] { $n } minute
   *[other] { $n } minutes
}

## Sign-in and first run
login-title = Sign in
login = Sign in
password = Password
password-hint = At least 10 characters.
password-repeat = Repeat the password
password-change = Change password
password-current = Current password
password-new = New password
setup-title = Welcome to Leadline
setup-intro = Create the first administrator account. You can invite your team afterwards.
setup-submit = Create administrator
setup-passwords-differ = The two passwords are not the same.
your-name = Name

## Errors
error-400 = The request could not be read
error-401 = Please sign in
error-403 = Not allowed
error-404 = Not found
error-409 = That clashes with what is stored
error-413 = Too large
error-422 = Please check what you entered
error-429 = Too many attempts
error-500 = Something went wrong
error-other = Something went wrong
error-internal = The server could not finish this. The problem has been logged; please try again later.
error-status = Error code { $status }
error-home = Go to the dashboard
error-code-invalid_email = This is not a valid e-mail address.
error-code-invalid_phone = This is not a valid phone number. Add the country code, e.g. +39…
error-code-weak_password = A password needs at least 10 characters.
error-code-wrong_password = The current password is wrong.
error-code-invalid_credentials = The e-mail or the password is wrong.
error-code-rate_limited = Too many attempts. Wait a minute and try again.
error-code-csrf = This form has expired. Reload the page and try again.
error-code-forbidden = Your role does not allow this.
error-code-not_found = This record does not exist (any more).
error-code-identity_taken = Another contact already has this e-mail, phone or external id.
error-code-domain_taken = Another company already has this domain.
error-code-backward_stage = This moves the contact back in the funnel. Tick “move back” to confirm.
error-code-invalid_country = Use a two-letter country code such as IT, PL or IR.
error-code-invalid_language = Use a language code such as en, fa or pl.
error-code-invalid_amount = This is not an amount.
error-code-invalid_currency = Use a three-letter currency code such as EUR.
error-code-invalid_date = Use a date as YYYY-MM-DD.
error-code-invalid_domain = This is not a web domain.
error-code-invalid_number = This must be a whole number.

## Dashboard
empty-dashboard-title = No contacts yet
empty-dashboard = Start by importing a CSV from your old CRM or a spreadsheet, or add a contact by hand.
import-csv = Import a CSV
funnel-title = { $count ->
    [one] Funnel: { $n } contact
   *[other] Funnel: { $n } contacts
}
funnel-counted-at = Counted { $time } (UTC); refreshed every 30 seconds.
my-tasks = My open tasks
recent-contacts = Newest contacts

## Lists
filters = Filters
filter-field = Field
filter-op = Condition
filter-value = Value
apply-filters = Filter
clear-filters = Clear filters
choose-columns = Columns
select-all = Select all rows on this page
select-row = Select this row
paging = Pages
first-page = First page
next-page = Next page
export-csv = Export CSV
empty-filtered = No records match these filters.
empty-contacts = No contacts yet. Import a CSV or add one.
empty-companies = No companies yet. They appear when contacts with company e-mails are imported, or add one.
empty-deals = No deals yet. Open a company or a contact and add one.
new-contact = New contact
new-company = New company
new-deal = New deal
op-eq = is
op-ne = is not
op-prefix = starts with
op-gt = greater than
op-lt = less than
op-in = is one of (a, b, …)
op-empty = is empty
op-not_empty = is not empty

## Bulk actions
bulk-label = Bulk actions
bulk-with-selected = With the selected:
bulk-set-stage = Set stage
bulk-set-status = Set status
bulk-assign = Assign owner
bulk-add-tag = Add tag
bulk-none-selected = Select at least one row first, or tick “all that match”.
bulk-value-required = Choose a value for this action.
bulk-unknown-owner = That user does not exist.
bulk-invalid-action = Unknown action.
bulk-set-tier = Set tier
bulk-all-matching = All that match, not only the ticked rows
bulk-delete-confirm-companies = { $count ->
    [one] Delete { $n } company? Its people stay, without it. This cannot be undone.
   *[other] Delete { $n } companies? Their people stay, without them. This cannot be undone.
}
bulk-delete-confirm-deals = { $count ->
    [one] Delete { $n } deal? This cannot be undone.
   *[other] Delete { $n } deals? This cannot be undone.
}
companies-updated = { $count ->
    [one] { $n } company updated
   *[other] { $n } companies updated
}
companies-deleted = { $count ->
    [one] { $n } company deleted
   *[other] { $n } companies deleted
}
deals-updated = { $count ->
    [one] { $n } deal updated
   *[other] { $n } deals updated
}
deals-deleted = { $count ->
    [one] { $n } deal deleted
   *[other] { $n } deals deleted
}
bulk-job-title = Bulk change
bulk-job-delete = Delete
bulk-job-changed = Changed
bulk-job-skipped = Left alone (would move back)
bulk-job-back = Back to the list
bulk-delete-confirm = { $count ->
    [one] Delete { $n } contact? Its timeline goes with it. This cannot be undone.
   *[other] Delete { $n } contacts? Their timelines go with them. This cannot be undone.
}
contacts-updated = { $count ->
    [one] { $n } contact updated
   *[other] { $n } contacts updated
}
contacts-deleted = { $count ->
    [one] { $n } contact deleted
   *[other] { $n } contacts deleted
}
confirm-title = Please confirm
delete-confirm = Delete { $name }? This cannot be undone.

## Record pages
profile = Profile
allow-backward = Move back in the funnel
history = Stage and owner history
history-field = Field
history-change = Change
history-when = When
history-cause = Why
cause-manual = by hand
cause-import = import
cause-merge = merge
cause-tracking = tracking
cause-rule = rule
timeline = Timeline
timeline-filter = Show
empty-timeline = Nothing has happened with this record yet.
empty-history = No changes recorded yet.
log-activity = Log
add-note = Add note
note = Note
log-call = Log call
call-outcome = Outcome
call-minutes = Duration (minutes)
add-task = Add task
tasks = Tasks
task-title = Task
task-due = Due
task-assignee = Assignee
task-complete = Mark done
task-reopen = Mark not done
task-overdue = overdue
task-open-contact = contact
empty-tasks = No tasks.
empty-contact-deals = No deals with this contact.
empty-company-deals = No deals with this company.
people = People
empty-people = No contacts linked to this company yet.
link-role = Role
deal-parties = Company and contacts
empty-contact-companies = Not linked to a company.
unlink = Unlink
link-company = Link
link-company-domain = Company domain
link-no-company = No company has the domain { $domain }. Create it first under Companies.
hint-one-per-line = One per line; the first is the primary.
hint-phones = One per line, with country code (+39…) or in the contact's country format.
hint-country = Two letters, e.g. IT
hint-language = e.g. en, fa, it, pl
hint-currency = e.g. EUR
hint-amount = e.g. 1250.00
hint-comma = Separate with commas.
hint-options = One or more of: { $options }

## Fields
field-name = Name
field-email = E-mail
field-emails = E-mails
field-phone = Phone
field-phones = Phones
field-tags = Tags
field-first_name = First name
field-last_name = Last name
field-display_name = Display name
field-job_title = Job title
field-company_name = Company name
field-company_id = Company
field-country = Country
field-region = Region or state
field-city = City
field-postal_code = Postal code
field-language = Language
field-owner_id = Owner
field-source = Source
field-original_source = Original source
field-source_campaign = Campaign
field-source_list = Purchased list
field-lifecycle_stage = Lifecycle stage
field-lead_status = Lead status
field-disqualification_reason = Disqualification reason
field-created_at = Created
field-updated_at = Updated
field-domain = Domain
field-industry = Industry
field-employee_count = Employees
field-annual_revenue = Annual revenue
field-currency = Currency
field-tier = Target tier
field-pipeline = Pipeline
field-stage = Stage
field-amount = Amount
field-close_date = Expected close
field-status = Status
field-lost_reason = Lost reason
field-closed_at = Closed

## Values
stage-subscriber = Subscriber
stage-lead = Lead
stage-mql = Marketing qualified lead
stage-sql = Sales qualified lead
stage-opportunity = Opportunity
stage-customer = Customer
stage-evangelist = Evangelist
stage-other = Other
lead-status-new = New
lead-status-attempting_contact = Attempting contact
lead-status-connected = Connected
lead-status-qualified = Qualified
lead-status-disqualified = Disqualified
lead-status-recycled = Recycled
dq-junk = Junk
dq-no_budget = No budget
dq-no_authority = No authority
dq-no_need = No need
dq-bad_timing = Bad timing
dq-competitor = Chose a competitor
dq-unreachable = Unreachable
dq-duplicate = Duplicate
dq-other = Other
deal-status-open = Open
deal-status-won = Won
deal-status-lost = Lost
tier-tier_1 = Tier 1
tier-tier_2 = Tier 2
tier-tier_3 = Tier 3
link-role-decision_maker = Decision maker
link-role-influencer = Influencer
link-role-user = User
link-role-champion = Champion
link-role-other = Other
role = Role
role-admin = Administrator
role-marketing = Marketing
role-sales = Sales
role-agent = Agent
role-read_only = Read only
activity-page_view = Page view
activity-form_submission = Form submission
activity-email_sent = E-mail sent
activity-email_opened = E-mail opened
activity-email_clicked = E-mail clicked
activity-email_bounced = E-mail bounced
activity-unsubscribed = Unsubscribed
activity-chat_message = Chat message
activity-call = Call
activity-meeting = Meeting
activity-note = Note
activity-task = Task
activity-product_event = Product event
activity-purchase = Purchase
activity-import = Import
activity-stage_changed = Stage changed
activity-segment_entered = Entered a segment
activity-segment_left = Left a segment
activity-lead_assigned = Lead assigned
activity-score_changed = Score category changed
outcome-connected = Connected
outcome-left_voicemail = Left voicemail
outcome-no_answer = No answer
outcome-busy = Busy
outcome-wrong_number = Wrong number
object-contact = Contact
object-company = Company
object-deal = Deal

## Import
import-upload = Upload a CSV file
import-intro = UTF-8 (with or without BOM), separated by commas, semicolons or tabs. Exports from HubSpot, Mautic, Salesforce and Google Contacts are recognised.
import-file = File
import-object = Import as
import-source-list = Purchased list name (optional)
import-source-list-hint = Every row is tagged with it, so the list's quality can be measured later.
import-region = Country for phone numbers without a country code (optional)
import-region-hint = Two letters, e.g. IT
import-next = Upload and check columns
import-recent = Recent imports
import-none = No imports yet.
import-status = Status
import-result = Result
import-dry-run = dry run
import-choose-file = Choose a CSV file to upload.
import-map-title = Check the columns
import-map-intro = Leadline read the columns of { $file }. Change what a column is imported as, or ignore it.
import-column = Column in the file
import-sample = First values
import-target = Import as
import-ignore = (ignore)
import-owner-email = Owner (user e-mail)
import-contact-emails = Contact e-mails
import-external-id = External id ({ $system })
import-leadline-id = Leadline id (updates that contact)
import-dry-run-button = Dry run
import-run-button = Import
import-job-title = Import
import-progress = Progress
import-count-created = Created
import-count-updated = Updated
import-count-merged = Duplicates merged
import-count-rejected = Rejected
import-created = { $n } created
import-updated = { $n } updated
import-merged = { $n } merged
import-rejected = { $n } rejected
import-rejects = Download rejected rows
import-run-now = Import this file now
import-back = All imports
job-queued = Waiting
job-running = Running
job-done = Done
job-failed = Failed
job-cancelled = Cancelled
job-phase-analyzing = Updating the database’s statistics
job-undone = Undone
import-undo = Undo this import…
import-undo-explain = The contacts, companies or deals this import created are deleted, and the ones it updated get back the values they had before it. This is refused if anything else has changed one of them since.
import-undo-confirm = Undo the import
import-undo-deleted = { $count ->
    [one] 1 record deleted
   *[other] { $n } records deleted
}
import-undo-restored = { $count ->
    [one] 1 record restored
   *[other] { $n } records restored
}

## Settings
settings-account = Your account
settings-tokens = API tokens
settings-users = Users and roles
settings-properties = Custom properties
settings-saved-password = Your password was changed.
settings-saved-user = The user was saved.
settings-saved-property = The properties were saved.
settings-saved-revoked = The token was revoked.
token-shown-once = Copy this token now. It is shown only once.
token-name = Name
token-prefix = Starts with
token-scope = Access
token-last-used = Last used
token-create = Create token
token-revoke = Revoke
token-revoked = revoked
empty-tokens = No tokens yet. A token lets another program use the API as you.
scope-read = Read
scope-write = Read and write
user-add = Add user
user-disabled = Disabled
prop-add = Add property
prop-object = Record
prop-label = Label
prop-name = Name in the API
prop-name-hint = Lower case letters, digits and _, e.g. budget_band
prop-type = Type
prop-options = Options (for choice types)
empty-properties = No custom properties yet.
prop-type-text = Text
prop-type-number = Number
prop-type-bool = Yes/no
prop-type-date = Date
prop-type-enum = One choice
prop-type-multi_enum = Several choices

dup-title = Possible duplicates
dup-intro = Contacts that look like one person but were not merged: they share a phone, or a full name and a company, or a rare full name. Merge them (a merge can be undone from the contact's page) or keep them apart.
dup-reason-same_phone = Same phone number
dup-reason-same_name_company = Same name at the same company
dup-reason-same_name_other_email = Same name, another e-mail address
dup-status-open = To review
dup-status-merged = Merged
dup-status-dismissed = Kept apart
dup-merge = Merge
dup-dismiss = Not the same person
dup-scan = Find people with the same name
dup-none = Nothing to review here.
dup-scanned = { $count ->
    [one] Found { $n } new pair to review.
   *[other] Found { $n } new pairs to review.
}
dup-merged = Merged. The older contact keeps its id; undo the merge from its page.
dup-dismissed = Kept apart: this pair will not be suggested again.
dup-found-on = found { $when }
dup-merged-on = merged { $when }
dup-dismissed-on = kept apart { $when }
dup-created = added { $when }
import-count-possible_duplicates = Possible duplicates
import-count-warnings = Values left out
import-first-rejects = Refused rows
import-first-warnings = Values left out of imported rows
import-line = Line { $line }:
import-default-stage = Lifecycle stage for rows without one
import-default-stage-auto = Automatic (purchased lists start as subscribers, others as leads)
deal-stage-qualified = Qualified
deal-stage-presentation = Presentation
deal-stage-decision = Decision
deal-stage-contract_sent = Contract sent
deal-stage-closed_won = Closed won
deal-stage-closed_lost = Closed lost
industry-logistics = Logistics
industry-software = Software
industry-food = Food
industry-energy = Energy
industry-design = Design
industry-healthcare = Healthcare
industry-retail = Retail
industry-manufacturing = Manufacturing
industry-financial_services = Financial services
industry-media = Media
channel-web = Web
channel-email = E-mail
channel-chat = Chat
channel-phone = Phone
channel-product = Product
channel-support = Support
channel-sales = Sales
bulk-backward = { $count ->
    [one] { $n } of the chosen contacts would move back in the funnel. Tick “move back” to confirm; nothing was changed.
   *[other] { $n } of the chosen contacts would move back in the funnel. Tick “move back” to confirm; nothing was changed.
}
error-open-holder = Open that contact
import-new-property = Keep as a new property
list-total = { $count ->
    [one] { $n } match
   *[other] { $n } matches
}
list-total-more = More than { $n } matches

## Scores
scores = Scores
score-priority = Priority
score-fit = Fit
score-engagement = Engagement
score-product = Product
score-times = { $count ->
    [one] once
   *[other] { $n } times
}
score-capped = capped
score-nothing = Nothing counts yet.

## Segments
nav-segments = Segments
seg-intro = Contacts that meet a condition, kept up to date as they act: each new activity is applied within a second.
seg-none = No segments yet.
seg-new = New segment
seg-name = Name
seg-condition = Condition
seg-condition-hint = For example: lifecycle_stage = "mql" and country = "PL", or count(page_view where url contains "/pricing", last 14 days) >= 2
seg-create = Create segment
seg-members = Members
seg-no-members = No contact is in it yet (a new segment fills within moments).
seg-count = { $count ->
    [one] { $n } contact
   *[other] { $n } contacts
}
nav-queue = Work queue
queue-whose = Whose leads
queue-mine = My leads
queue-team = Team { $team }
queue-only-breached = Only those past their SLA
queue-show = Show
queue-empty = No open leads here. Leads arrive when the engine makes a contact an MQL and routing gives it to someone.
queue-priority = Priority
queue-lead = Lead
queue-stage = Stage
queue-why = Why here
queue-owner = Owner
queue-sla = First touch
queue-intent = Latest intent
queue-late = Late.
queue-due = due { $when }
queue-touched = touched { $when }
queue-total = { $count ->
    [one] { $n } open lead
   *[other] { $n } open leads
}
queue-breached = { $count ->
    [one] { $n } past its SLA
   *[other] { $n } past their SLA
}
queue-reason-account-owner = Owner of the account
queue-reason-territory = Territory { $country }, team { $team }
queue-reason-round-robin = Round robin, team { $team }
queue-reason-owner = Given by a person
queue-reason-unassigned = Not assigned yet
routing-title = Routing
routing-saved = Routing saved.
routing-rules = Assignment rules
routing-intro = When the engine makes a contact an MQL and it has no owner, these rules are tried in order; the first that finds someone available gives them the lead. Members who are away or at their limit are passed over.
routing-rules-hint = One rule a line: account owner · territory PL, CZ -> team · round robin team
routing-line-error = Line { $line }: expected { $expected }
routing-sla = Minutes for the first touch (SLA)
routing-members = Who takes leads
routing-no-members = Nobody takes leads yet: add a user to a team.
routing-member = User
routing-member-set = Add or change a member
routing-team = Team
routing-weight = Share (weight)
routing-max-open = Most open leads
routing-away-until = Away until
routing-open = Open leads
routing-remove = Remove
seg-kind = Kind
seg-dynamic = Dynamic: the contacts that meet a condition
seg-static = Static list: contacts added by people
seg-static-hint = Add contacts from the contacts list: tick them (or take all that match a filter) and choose "Add to list".
seg-open-list = Open as a contact list
seg-remove = Remove
bulk-add-to-list = Add to list
bulk-list = List
seg-preview-button = Count now
seg-preview = { $count ->
    [one] { $n } contact meets it now.
   *[other] { $n } contacts meet it now.
}
scoring-title = Scoring and lifecycle rules
scoring-open = Edit the rules
scoring-intro = Each score model adds the points of its rules: once while a condition holds, or for each activity of a type within a window, halving every half-life. Preview shows what a change would do to a sample of contacts before anything changes; Apply keeps it as a new version and decides every contact again.
scoring-version = Version { $version } applies now.
scoring-shipped = The rules a fresh install ships apply now.
scoring-restored = Version { $version } restored
scoring-col-remove = Remove
scoring-col-name = Rule
scoring-col-kind = Points for
scoring-col-what = Condition or activity type
scoring-col-where = Only activities where
scoring-col-window = Window (days)
scoring-col-points = Points
scoring-col-cap = Cap
scoring-col-half-life = Half-life (days)
scoring-col-stage = Moves to
scoring-col-condition = While this holds
scoring-kind-when = a condition
scoring-kind-each = each activity
scoring-thresholds = Categories, from the highest
scoring-thresholds-hint = A category and its lowest score, separated by commas; the last needs no score: A 60, B 40, C 20, D
scoring-lifecycle = Lifecycle rules
scoring-lifecycle-intro = While a rule's condition holds, a contact earlier in the funnel moves forward to its stage; rules never move anyone back.
scoring-note = Note
scoring-preview = Preview
scoring-apply = Apply
scoring-preview-title = What this change would do
scoring-preview-summary = Decided { $sample } of { $contacts } contacts under the current rules and under these, in { $ms } ms.
scoring-preview-nothing = No contact of the sample would change category, stage or segment.
scoring-preview-categories = Category changes
scoring-preview-stages = Stage changes
scoring-preview-segments = Segment changes
scoring-preview-movers = Largest score changes
scoring-preview-model = Model
scoring-preview-from = From
scoring-preview-to = To
scoring-preview-contacts = Contacts
scoring-preview-leaving = Leaving
scoring-preview-entering = Entering
scoring-versions = Versions
scoring-no-versions = No version kept yet: the shipped rules apply.
scoring-version-col = Version
scoring-version-when = Applied
scoring-version-by = By
scoring-version-current = current
scoring-restore = Restore
error-code-invalid_points = This must be a number, e.g. 10 or -5.
job-apply-rules = Deciding every contact again under the new rules
scoring-how = How scores are made
account-scores = Account score
account-engagement = Engagement of its people
account-engaged = { $count ->
    [one] { $n } person engaged
   *[other] { $n } people engaged
}
score-account_fit = Account fit
seg-history = Entered and left, last 30 days
seg-history-total = { $entered } entered · { $left } left
seg-history-day = Day
builder-title = Build a condition
builder-field = Field
builder-op = Is
builder-value = Value
builder-add = Add
builder-contains = contains
builder-empty = is empty
builder-not-empty = is not empty
builder-did = Did
builder-times = at least (times)
builder-days = in the last (days)
builder-reads = Reads:
builder-category = category
builder-tag = Tag
builder-email_domain = E-mail domain
builder-open_deals = Open deals
builder-won_deals = Won deals

## Tracking: sites, touches
field-latest_source = Latest source
field-first_touch_at = First touch
field-first_touch_source = First touch source
field-first_touch_medium = First touch medium
field-first_touch_campaign = First touch campaign
field-first_touch_referrer = First touch referrer
field-latest_touch_at = Latest touch
field-latest_touch_source = Latest touch source
field-latest_touch_medium = Latest touch medium
field-latest_touch_campaign = Latest touch campaign
field-latest_touch_referrer = Latest touch referrer
activity-identified = Identified
channel-paid_search = Paid search
channel-paid_social = Paid social
channel-organic_search = Organic search
channel-organic_social = Organic social
channel-content = Content
channel-display = Display
channel-events = Events and trade shows
channel-referral = Referral
channel-partner = Partner
channel-purchased_list = Purchased list
channel-direct = Direct
sites-title = Sites and tracking
sites-open = Sites and tracking code
sites-intro = Each site sends page views, clicks and events to Leadline: with the script tag on its pages, or from any Segment library pointed at this server with the site's write key. Visitors stay anonymous until a form or an identify call says who they are; then everything they did is the contact's.
sites-inbox = Events received: { $kept }; waiting to be read: { $waiting }.
sites-none = No site yet.
sites-write-key = Write key
sites-origins = Allowed origins
sites-no-origins = none: only server-side libraries can send
sites-origins-hint = The addresses of the site's pages, e.g. https://example.com, separated by commas. Browsers on other sites are refused.
sites-snippet = Script tag for the site's pages
sites-server = Segment API address
sites-delete = Delete the site
sites-new = Add a site
sites-name = Name
sites-consent = Set no cookie until the visitor consents (the page calls leadline.consent(true))
sites-dnt = Respect Do Not Track and Global Privacy Control
sites-create = Add the site
source-title = Where they came from
source-original = Original source
source-first = First touch
source-latest = Latest touch
source-none = No tracked visit yet.
source-visitors = Browsers
source-visitor = { $site }: first seen { $first }, last seen { $last }
source-unlink = Not this person
form-submit = Send
form-thanks = Thank you! We will be in touch.
form-fix = Please check the fields marked below.
form-consent-required = Please agree to this to go on.
nav-forms = Forms
forms-title = Forms
forms-intro = Forms turn visitors into contacts. Each is hosted at its own address and can be embedded in the site's pages; a submission makes or updates the contact, ties the visitor's earlier visits to it, and records where they came from.
forms-none = No form yet.
forms-new = New form
forms-counts = Last 30 days: { $views } views, { $submissions } submissions, { $rate } conversion
forms-live = Live
forms-url = Address
forms-embed = Embed code
forms-embed-hint = Put it in a page that has the tracking script: the form then knows the visitor and the campaign they came from.
forms-name = Name
forms-slug = Address (letters, digits, dashes)
forms-site = Site
forms-no-site = Add a site first
forms-fields = Fields
forms-fields-hint = Rows without a field are left out. Progressive fields are asked only of people already known, in place of what they answered before. Options of a choice are separated by commas.
forms-target = Fills
forms-label = Label
forms-kind = Kind
forms-required = Required
forms-progressive = Progressive
forms-options = Options
forms-remove = Remove
forms-consent = Consent checkboxes
forms-consent-channel = Channel
forms-consent-wording = Wording shown beside the checkbox
consent-channel-email = E-mail
consent-channel-phone = Phone
consent-channel-chat = Chat
forms-thank-you = Thank-you message
forms-redirect = Or send them to this address
forms-save = Save the form
forms-delete = Delete the form
form-kind-text = Text
form-kind-email = E-mail
form-kind-phone = Phone
form-kind-textarea = Long text
form-kind-select = Choice
form-kind-checkbox = Checkbox
nav-campaigns = Campaigns
campaigns-title = Campaigns
campaigns-intro = What each campaign and channel cost, what it brought, and how good its leads were. A contact belongs to the campaign of its first touch's utm_campaign, or of its import's source list.
campaigns-report-options = Report options
campaigns-from = From
campaigns-to = To
campaigns-by = By
campaigns-by-campaign = Campaign
campaigns-by-channel = Channel
campaigns-model = Attribution model
model-first_touch = First touch
model-last_touch = Last touch
model-linear = Linear
model-u_shaped = U-shaped (40/20/40)
model-time_decay = Time decay (7 days)
campaigns-conversion = Conversion
conversion-lead = New leads
conversion-mql = MQLs
conversion-won = Won deals
campaigns-show = Show
campaigns-period = { $from } to { $to }, against { $pfrom } to { $pto }
campaigns-costs = Cost per lead, MQL and customer
campaigns-spend = Spend
campaigns-leads = Leads
campaigns-cpl = Cost per lead
campaigns-mqls = MQLs
campaigns-cpmql = Cost per MQL
campaigns-customers = Customers
campaigns-cac = Cost per customer
campaigns-cpl-before = Cost per lead before
campaigns-total = Total
campaigns-quality = Source quality
campaigns-source = Source
campaigns-disqualified = Disqualified
campaigns-revenue = Revenue
campaigns-attribution = Attribution
campaigns-credited = Conversions credited
campaigns-value = Value credited
campaigns-list = All campaigns
campaigns-none = No campaign yet.
campaigns-name = Campaign
campaigns-channel = Channel
campaigns-maps = Contacts from
campaigns-budget = Budget
campaigns-spent = Spent
campaigns-new = New campaign
campaigns-list-tag = Purchased list (the import's source list)
campaigns-starts = Starts on
campaigns-ends = Ends on
campaigns-create = Add the campaign
campaigns-add-spend = Enter spend
campaigns-when = Day or month
campaigns-amount = Amount
campaigns-save-spend = Save
campaigns-bad-amount = This is not an amount.
campaigns-csv-hint = Google Ads and Meta Ads exports are taken as they are by POST /api/v1/campaigns/spend.csv.
nav-pages = Landing pages
pages-title = Landing pages
pages-intro = Pages hosted by Leadline for a campaign: a headline, text, images, a call to action and a form. Give a page a version B to test it: each visitor keeps the version they saw, and each version's views, clicks and submissions are counted.
pages-none = No landing page yet.
pages-new = New landing page
pages-counts = { $variant }: { $views } views, { $clicks } clicks, { $submissions } submissions, { $rate } conversion
pages-slug = Address (/p/…: letters, digits, dashes)
pages-version-a = Version A
pages-version-b = Version B (leave empty for no test)
pages-split = Share of visitors who see B (%)
pages-hint = Rows without a block are left out. An image's text describes it; a call to action's address is where its button leads.
pages-block = Block
pages-text = Text
pages-url = Address
pages-form = Form
pages-save = Save the page
pages-delete = Delete the page
block-headline = Headline
block-text = Text
block-image = Image
block-cta = Call to action
block-form = Form
webhooks-title = Webhooks
webhooks-open = Webhooks
webhooks-intro = Leadline POSTs each event you subscribe to as JSON to your address, signed as the Standard Webhooks specification says: verify it with the secret and any of that specification's libraries. A delivery that is not answered with a 2xx is tried again, later and later, for about a day.
webhooks-none = No webhook yet.
webhooks-events = Events
webhooks-secret = Signing secret
webhooks-deliveries = Latest deliveries
webhooks-no-deliveries = Nothing sent yet.
webhooks-event = Event
webhooks-status = Status
webhooks-attempts = Attempts
webhooks-answer = Last answer
webhooks-when = When
webhooks-status-pending = Waiting
webhooks-status-delivered = Delivered
webhooks-status-failed = Failed
webhooks-redeliver = Send again
webhooks-delete = Delete the webhook
webhooks-new = Add a webhook
webhooks-url = Address
webhooks-create = Add the webhook

# Analytics
nav-analytics = Analytics
analytics-title = Analytics
analytics-intro = How far people get through the steps you choose, how many drop out at each, and how long each step takes. A person is a contact, or a visitor not yet known; a visitor who fills in a form brings their earlier steps along.
analytics-funnel = Funnel
analytics-steps = Steps, in order
analytics-step-type = Activity
analytics-step-where = Only where
analytics-window = Within
analytics-unit = Unit
analytics-unit-days = days
analytics-unit-hours = hours
analytics-mode = Mode
mode-default = Other activities may come between steps
mode-strict_order = No other activity between steps
mode-strict_deduplication = A repeated step ends the funnel
mode-strict_increase = Each step strictly later
analytics-breakdown = Break down by
analytics-no-breakdown = Nothing
analytics-result = People at each step
analytics-period = From { $from } to { $to }; { $mode }.
analytics-chart = People at each step or further
analytics-chart-caption = Each bar is the people who reached that step or went further, and their share of the first step.
analytics-step = Step
analytics-people = People
analytics-from-previous = From the step before
analytics-from-first = From the first step
analytics-dropped = Dropped out
analytics-median = Median time from the step before
analytics-average = Average time
analytics-csv = Download as CSV
analytics-by-group = By value
analytics-value = Value
analytics-other = All others
analytics-no-value = No value
analytics-seconds = { $n } s
analytics-minutes = { $n } min
analytics-hours = { $n } h
analytics-days = { $n } d

# Pipelines, the board and the forecast
sales-list = List
sales-board = Board
sales-forecast = Forecast
board-title = Pipeline board
board-new-deal = New deal
board-filters = Board filters
board-everyone = Everyone
board-team = Team
board-every-team = Every team
board-close-month = Closing in
board-unconverted = { $count ->
    [one] { $n } deal is in a currency without an exchange rate: counted, not summed.
   *[other] { $n } deals are in a currency without an exchange rate: counted, not summed.
}
board-help = Move a deal with its form, or drag it to another stage. From the keyboard: focus a card, press Space to pick it up, the arrow keys to choose a stage, Space to put it down, Escape to cancel.
board-count = { $count ->
    [one] { $n } deal
   *[other] { $n } deals
}
board-weighted = Weighted by the stage's probability
board-weighted-short = weighted { $amount }
board-stuck = Stuck
board-move-to = Move to
board-move = Move
board-close = Won or lost
board-outcome = Outcome
board-reason = Reason
board-close-deal = Close the deal
board-more = { $count ->
    [one] and { $n } more
   *[other] and { $n } more
}
board-no-owner = No owner
board-other-stage = Not a stage of this pipeline
board-untitled = (no name)
board-age = { $n } d old
board-in-stage = { $n } d in stage
board-picked = Picked up { $name }. Arrow keys choose a stage, Space puts it down, Escape cancels.
board-over = Over { $stage }.
forecast-title = Forecast
forecast-intro = Deals by expected close month, in { $currency } at the exchange rate of their close date: open, weighted by their stage's probability, by forecast category (each with the more certain ones), and won, against the month's goal.
forecast-by-month = Month
forecast-by-owner = Owner
forecast-by-team = Team
forecast-chart = Won and committed by month
forecast-chart-caption = Each bar is what was won plus what is committed in the month; after the slash, the month's goal.
forecast-month = Month
forecast-open-deals = Open deals
forecast-open = Open
forecast-closed-won = Won
forecast-goal = Goal
forecast-attainment = Of the goal
forecast-category-omitted = Omitted
forecast-category-pipeline = Pipeline
forecast-category-best_case = Best case
forecast-category-commit = Commit
field-won_reason = Won reason
field-forecast_category = Forecast category
field-stage_entered_at = In stage since
won-reason-price = Price
won-reason-product_fit = Product fit
won-reason-relationship = Relationship
won-reason-timing = Timing
won-reason-support = Support
lost-reason-price = Price
lost-reason-competitor = Went with a competitor
lost-reason-no_budget = No budget
lost-reason-no_decision = No decision
lost-reason-timing = Timing
lost-reason-product_fit = Product fit

# Dashboard figures
metric-title = This period against the one before
metric-period = { $from } to { $to }, against { $pfrom } to { $pto }. Stages: contacts that moved into each in the period. Costs: all campaign spend over all new leads and customers. Counted { $time } (UTC), at most once a minute.
metric-before = before: { $value }
metric-chart = Contacts reaching each stage in the period
metric-chart-caption = Each bar is the contacts that moved into the stage in the period.
metric-new_leads = New leads
metric-mqls = MQLs
metric-sqls = SQLs
metric-opportunities = Opportunities
metric-customers = New customers
metric-won_revenue = Won revenue
metric-won_deals = Deals won
metric-open_pipeline = Open pipeline (now)
metric-weighted_pipeline = Weighted pipeline (now)
metric-spend = Campaign spend
metric-cost_per_lead = Cost per lead
metric-cac = Cost per customer
metric-win_rate = Win rate
metric-average_deal = Average won deal
metric-sales_cycle_days = Sales cycle
metric-velocity_per_day = Pipeline velocity a day

# Customer lifetime value
clv-title = Lifetime value
clv-intro = What customers have bought (their won deals and recorded orders) and what they will buy: how often (BG/NBD) and how much (Gamma-Gamma), fitted by maximum likelihood on your own customers, each month's expected purchases discounted to today.
clv-horizon = Months ahead
clv-rate = Discount a month
clv-segment = Customers in
clv-every-customer = Every customer
clv-by-channel = By the channel customers came from
clv-summary = { $customers } customers; on average { $historical } bought so far and { $predicted } expected in the next { $months } months.
clv-models = Fitted on { $customers } customers ({ $repeat } bought more than once): r { $r }, α { $alpha }, a { $a }, b { $b }; p { $p }, q { $q }, γ { $gamma }.
clv-no-models = Too few customers have bought more than once to predict (20 customers and 5 who came back are needed): the figures are what they bought.
clv-chart = Lifetime value by channel
clv-chart-caption = Each bar is a customer's average value from the channel: bought so far and expected over the horizon.
clv-customers = Customers
clv-historical = Bought so far
clv-predicted = Expected value
clv-ratio = Value / CAC
clv-top = The most valuable customers
clv-none = No customer has a won deal yet.
clv-customer = Customer
clv-purchases = Purchases
clv-alive = Still a customer
clv-expected = Purchases expected

# Pipelines settings
pipelines-title = Pipelines
pipelines-intro = The stages deals go through, each with its chance of winning, its forecast category, the days after which a deal there is stuck and the fields a deal needs to enter it; exchange rates and monthly goals for the forecast.
pipelines-open = Pipelines, rates and goals
pipelines-saved = Saved.
pipelines-format = Stages one a line: key | label | probability | category (omitted, pipeline, best_case or commit) | days before stuck | fields needed. A pipeline deals are in cannot be removed.
pipelines-new = A new pipeline
pipelines-key = Key
pipelines-label = Name
pipelines-kind = For
pipeline-kind-new_business = New business
pipeline-kind-upsell = Upsell and cross-sell
pipeline-kind-renewal = Renewal
pipelines-stages = Stages
pipelines-save = Save
pipelines-rates = Exchange rates
pipelines-rates-intro = What one unit of another currency is worth in { $currency }, from a day on; a deal is converted at the rate of its close date.
pipelines-rates-lines = One a line: currency, day, rate (USD 2026-01-01 0.92)
pipelines-goals = Monthly goals
pipelines-goals-lines = One a line: month and the team's goal in { $currency } (2026-07 40000.00)
pipelines-bad-line = Line { $n } does not read.

# Journeys
journey-title = Journeys
journey-intro = Where a contact, a company's people or a segment's members are in the journey, what touched them in each stage, how many went on, and where those who stopped were last touched. A contact's or company's map opens from its page.
journey-whose = { $name }: { $people } people
journey-caption = Each box is a stage of the journey with the people who reached it and its most common touchpoints; each arrow, the share who went on; under each box, those who stopped there.
journey-awareness = Awareness
journey-consideration = Consideration
journey-decision = Decision
journey-loyalty = Loyalty
journey-reached = { $n } reached
journey-stopped = { $n } stopped here
journey-stage = Stage
journey-reached-col = Reached
journey-went-on = Went on
journey-dropped = Stopped
journey-touchpoints = Touchpoints
journey-barriers = Last touch of those who stopped
journey-open = Journey map

# Ready-made reports
reports-title = Reports
reports-period = Contacts that entered a stage from { $from } to { $to }, and whether they went on (at any time after).
reports-lifecycle = Lifecycle conversion and time between stages
reports-lifecycle-caption = Each bar is the share of those who entered a stage that reached the next or a later one.
reports-step = From → to
reports-entered = Entered
reports-conversion = Conversion
reports-median = Median time
reports-cohorts = Customers kept, by the month of their first purchase
reports-cohorts-intro = Each row is the customers whose first won deal closed in that month; each column, the months since; each cell, the share who bought in that month.
reports-cohorts-caption = The darker a cell, the more of the month's new customers bought again then.
reports-cohort = First purchase
analytics-presets = Ready-made and saved
analytics-save = Save this funnel
analytics-save-key = Under the key
funnel-stage-awareness = Awareness
funnel-stage-interest = Interest
funnel-stage-consideration = Consideration
funnel-stage-intent = Intent
funnel-stage-evaluation = Evaluation
funnel-stage-purchase = Purchase
funnel-stage-decision = Decision
funnel-stage-action = Action
reports-pipeline = Pipeline conversion and time in each stage
reports-pipeline-intro = Deals that entered each stage in the period: how many went on to a later stage or were won, and how many days they stayed.
reports-pipeline-caption = Each bar is the share of the deals entering a stage that went further.
reports-days-in-stage = Days in stage

health-title = Customer health
health-intro = How each customer stands after they bought, from the health score model: use of the product, purchases and talks with your team against support tickets and a month without using the product. Customers are scored again every day, so a customer who goes quiet slips without any new event.
health-no-model = Your scoring rules have no model with the key “health”. Add one under Settings → Scoring to see customer health here.
health-overview = Customers by health
health-customers = Customers
health-upsell_candidates = Upsell candidates
health-expanding = On an upsell or renewal deal
health-at_risk = At risk
health-chart = Customers in each health category
health-bands = Below { $low } a customer is at risk; from { $high } healthy.
health-one-band = The health model has one category: nobody is flagged.
health-category = Category
health-not-scored = Not scored yet
health-at-risk = Customers at risk
health-at-risk-help = The lowest health first: talk to them before they leave.
health-none-at-risk = No customer is at risk.
health-score = Health
health-stage = Stage
health-owner = Owner
health-upsell = Upsell candidates
health-upsell-help = Healthy customers with no open upsell or renewal deal, the healthiest first.
health-none-upsell = No healthy customer is waiting for an offer.
health-start-upsell = Start an upsell deal
health-no-pipeline = There is no upsell or renewal pipeline: add one under Settings → Pipelines.
health-counted-at = Counted { $time } (UTC), at most a minute ago.
health-deal-name = Upsell – { $name }
activity-support_ticket = Support ticket
