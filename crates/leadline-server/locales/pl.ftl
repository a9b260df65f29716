# Interfejs Leadline po polsku.

## Layout
skip-to-content = Przejdź do treści
nav-label = Główna
nav-dashboard = Pulpit
nav-contacts = Kontakty
nav-companies = Firmy
nav-deals = Szanse sprzedaży
nav-import = Import
nav-settings = Ustawienia
search = Szukaj
search-label = Szukaj
search-placeholder = Szukaj imion, e-maili, telefonów, firm…
search-results = Wyniki wyszukiwania
search-title = Wyszukiwanie: { $q }
search-hint = Wpisz imię, e-mail, numer telefonu lub firmę.
search-none = Nic nie znaleziono.
search-more = Pokaż wszystkie na liście
language = Język
language-apply = Zmień język
logout = Wyloguj

## Common words
save = Zapisz
saved = Zapisano.
create = Utwórz
cancel = Anuluj
delete = Usuń
apply = Zastosuj
any = Dowolny
yes = Tak
no = Nie
never = nigdy
actions = Działania
older = Starsze wpisy
minutes = { $count ->
    [one] { $n } minuta
    [few] { $n } minuty
   *[other] { $n } minut
}

## Sign-in and first run
login-title = Logowanie
login = Zaloguj
password = Hasło
password-hint = Co najmniej 10 znaków.
password-repeat = Powtórz hasło
password-change = Zmień hasło
password-current = Obecne hasło
password-new = Nowe hasło
setup-title = Witamy w Leadline
setup-intro = Utwórz pierwsze konto administratora. Zespół możesz zaprosić później.
setup-submit = Utwórz administratora
setup-passwords-differ = Hasła nie są takie same.
your-name = Imię i nazwisko

## Errors
error-400 = Nie udało się odczytać żądania
error-401 = Zaloguj się
error-403 = Brak uprawnień
error-404 = Nie znaleziono
error-409 = Konflikt z zapisanymi danymi
error-413 = Za duże
error-422 = Sprawdź wprowadzone dane
error-429 = Zbyt wiele prób
error-500 = Coś poszło nie tak
error-other = Coś poszło nie tak
error-internal = Serwer nie mógł dokończyć operacji. Problem został zapisany; spróbuj ponownie później.
error-status = Kod błędu { $status }
error-home = Przejdź do pulpitu
error-code-invalid_email = To nie jest poprawny adres e-mail.
error-code-invalid_phone = To nie jest poprawny numer telefonu. Dodaj numer kierunkowy kraju, np. +48…
error-code-weak_password = Hasło musi mieć co najmniej 10 znaków.
error-code-wrong_password = Obecne hasło jest nieprawidłowe.
error-code-invalid_credentials = Nieprawidłowy e-mail lub hasło.
error-code-rate_limited = Zbyt wiele prób. Odczekaj minutę i spróbuj ponownie.
error-code-csrf = Formularz wygasł. Odśwież stronę i spróbuj ponownie.
error-code-forbidden = Twoja rola na to nie pozwala.
error-code-not_found = Ten rekord nie istnieje (już).
error-code-identity_taken = Inny kontakt ma już ten e-mail, telefon lub identyfikator zewnętrzny.
error-code-domain_taken = Inna firma ma już tę domenę.
error-code-backward_stage = To cofa kontakt w lejku. Zaznacz „cofnij”, aby potwierdzić.
error-code-invalid_country = Użyj dwuliterowego kodu kraju, np. PL, IT lub IR.
error-code-invalid_language = Użyj kodu języka, np. en, fa lub pl.
error-code-invalid_amount = To nie jest kwota.
error-code-invalid_currency = Użyj trzyliterowego kodu waluty, np. PLN.
error-code-invalid_date = Podaj datę jako RRRR-MM-DD.
error-code-invalid_domain = To nie jest domena internetowa.
error-code-invalid_number = To musi być liczba całkowita.

## Dashboard
empty-dashboard-title = Brak kontaktów
empty-dashboard = Zacznij od importu pliku CSV ze starego CRM-a lub arkusza albo dodaj kontakt ręcznie.
import-csv = Importuj CSV
funnel-title = { $count ->
    [one] Lejek: { $n } kontakt
    [few] Lejek: { $n } kontakty
   *[other] Lejek: { $n } kontaktów
}
funnel-counted-at = Policzono { $time } (UTC); odświeżane co 30 sekund.
my-tasks = Moje otwarte zadania
recent-contacts = Najnowsze kontakty

## Lists
filters = Filtry
filter-field = Pole
filter-op = Warunek
filter-value = Wartość
apply-filters = Filtruj
clear-filters = Wyczyść filtry
choose-columns = Kolumny
select-all = Zaznacz wszystkie wiersze na stronie
select-row = Zaznacz ten wiersz
paging = Strony
first-page = Pierwsza strona
next-page = Następna strona
export-csv = Eksportuj CSV
empty-filtered = Żaden rekord nie pasuje do tych filtrów.
empty-contacts = Brak kontaktów. Zaimportuj CSV lub dodaj kontakt.
empty-companies = Brak firm. Pojawią się po imporcie kontaktów z firmowymi e-mailami; możesz też dodać firmę.
empty-deals = Brak szans sprzedaży. Otwórz firmę lub kontakt i dodaj szansę.
new-contact = Nowy kontakt
new-company = Nowa firma
new-deal = Nowa szansa
op-eq = jest
op-ne = nie jest
op-prefix = zaczyna się od
op-gt = większe niż
op-lt = mniejsze niż
op-in = jest jednym z (a, b, …)
op-empty = jest puste
op-not_empty = nie jest puste

## Bulk actions
bulk-label = Działania zbiorcze
bulk-with-selected = Dla zaznaczonych:
bulk-set-stage = Ustaw etap
bulk-set-status = Ustaw status
bulk-assign = Przypisz właściciela
bulk-add-tag = Dodaj tag
bulk-none-selected = Najpierw zaznacz co najmniej jeden wiersz albo zaznacz „wszystkie pasujące”.
bulk-value-required = Wybierz wartość dla tego działania.
bulk-unknown-owner = Ten użytkownik nie istnieje.
bulk-invalid-action = Nieznane działanie.
bulk-set-tier = Ustaw poziom
bulk-all-matching = Wszystkie pasujące, nie tylko zaznaczone wiersze
bulk-delete-confirm-companies = { $count ->
    [one] Usunąć { $n } firmę? Jej osoby zostaną, bez firmy. Tego nie można cofnąć.
    [few] Usunąć { $n } firmy? Ich osoby zostaną, bez firmy. Tego nie można cofnąć.
   *[other] Usunąć { $n } firm? Ich osoby zostaną, bez firmy. Tego nie można cofnąć.
}
bulk-delete-confirm-deals = { $count ->
    [one] Usunąć { $n } transakcję? Tego nie można cofnąć.
    [few] Usunąć { $n } transakcje? Tego nie można cofnąć.
   *[other] Usunąć { $n } transakcji? Tego nie można cofnąć.
}
companies-updated = { $count ->
    [one] Zaktualizowano { $n } firmę
    [few] Zaktualizowano { $n } firmy
   *[other] Zaktualizowano { $n } firm
}
companies-deleted = { $count ->
    [one] Usunięto { $n } firmę
    [few] Usunięto { $n } firmy
   *[other] Usunięto { $n } firm
}
deals-updated = { $count ->
    [one] Zaktualizowano { $n } transakcję
    [few] Zaktualizowano { $n } transakcje
   *[other] Zaktualizowano { $n } transakcji
}
deals-deleted = { $count ->
    [one] Usunięto { $n } transakcję
    [few] Usunięto { $n } transakcje
   *[other] Usunięto { $n } transakcji
}
bulk-job-title = Zmiana zbiorcza
bulk-job-delete = Usuń
bulk-job-changed = Zmienione
bulk-job-skipped = Pominięte (cofnęłyby się)
bulk-job-back = Wróć do listy
bulk-delete-confirm = { $count ->
    [one] Usunąć { $n } kontakt? Jego historia zostanie usunięta. Tego nie można cofnąć.
    [few] Usunąć { $n } kontakty? Ich historia zostanie usunięta. Tego nie można cofnąć.
   *[other] Usunąć { $n } kontaktów? Ich historia zostanie usunięta. Tego nie można cofnąć.
}
contacts-updated = { $count ->
    [one] Zaktualizowano { $n } kontakt
    [few] Zaktualizowano { $n } kontakty
   *[other] Zaktualizowano { $n } kontaktów
}
contacts-deleted = { $count ->
    [one] Usunięto { $n } kontakt
    [few] Usunięto { $n } kontakty
   *[other] Usunięto { $n } kontaktów
}
confirm-title = Potwierdź
delete-confirm = Usunąć { $name }? Tego nie można cofnąć.

## Record pages
profile = Profil
allow-backward = Cofnij w lejku
history = Historia etapów i właścicieli
history-field = Pole
history-change = Zmiana
history-when = Kiedy
history-cause = Dlaczego
cause-manual = ręcznie
cause-import = import
cause-merge = scalenie
cause-tracking = śledzenie
cause-rule = reguła
timeline = Oś czasu
timeline-filter = Pokaż
empty-timeline = Z tym rekordem nic się jeszcze nie wydarzyło.
empty-history = Brak zapisanych zmian.
log-activity = Zapisz
add-note = Dodaj notatkę
note = Notatka
log-call = Zapisz rozmowę
call-outcome = Wynik
call-minutes = Czas trwania (minuty)
add-task = Dodaj zadanie
tasks = Zadania
task-title = Zadanie
task-due = Termin
task-assignee = Wykonawca
task-complete = Oznacz jako zrobione
task-reopen = Oznacz jako niezrobione
task-overdue = po terminie
task-open-contact = kontakt
empty-tasks = Brak zadań.
empty-contact-deals = Brak szans sprzedaży z tym kontaktem.
empty-company-deals = Brak szans sprzedaży z tą firmą.
people = Osoby
empty-people = Z tą firmą nie powiązano jeszcze kontaktów.
link-role = Rola
deal-parties = Firma i kontakty
empty-contact-companies = Niepowiązany z żadną firmą.
unlink = Odłącz
link-company = Powiąż
link-company-domain = Domena firmy
link-no-company = Żadna firma nie ma domeny { $domain }. Najpierw utwórz ją w Firmach.
hint-one-per-line = Jeden w wierszu; pierwszy jest główny.
hint-phones = Jeden w wierszu, z numerem kierunkowym (+48…) lub w formacie kraju kontaktu.
hint-country = Dwie litery, np. PL
hint-language = np. en, fa, it, pl
hint-currency = np. PLN
hint-amount = np. 1250,00
hint-comma = Oddziel przecinkami.
hint-options = Jedna lub więcej z: { $options }

## Fields
field-name = Nazwa
field-email = E-mail
field-emails = E-maile
field-phone = Telefon
field-phones = Telefony
field-tags = Tagi
field-first_name = Imię
field-last_name = Nazwisko
field-display_name = Nazwa wyświetlana
field-job_title = Stanowisko
field-company_name = Nazwa firmy
field-company_id = Firma
field-country = Kraj
field-region = Województwo lub region
field-city = Miasto
field-postal_code = Kod pocztowy
field-language = Język
field-owner_id = Właściciel
field-source = Źródło
field-original_source = Pierwotne źródło
field-source_campaign = Kampania
field-source_list = Kupiona lista
field-lifecycle_stage = Etap cyklu życia
field-lead_status = Status leada
field-disqualification_reason = Powód dyskwalifikacji
field-created_at = Utworzono
field-updated_at = Zaktualizowano
field-domain = Domena
field-industry = Branża
field-employee_count = Pracownicy
field-annual_revenue = Roczny przychód
field-currency = Waluta
field-tier = Poziom docelowy
field-pipeline = Lejek sprzedaży
field-stage = Etap
field-amount = Kwota
field-close_date = Planowane zamknięcie
field-status = Status
field-lost_reason = Powód przegranej
field-closed_at = Zamknięto

## Values
stage-subscriber = Subskrybent
stage-lead = Lead
stage-mql = Lead zakwalifikowany przez marketing
stage-sql = Lead zakwalifikowany przez sprzedaż
stage-opportunity = Szansa
stage-customer = Klient
stage-evangelist = Ambasador
stage-other = Inne
lead-status-new = Nowy
lead-status-attempting_contact = Próba kontaktu
lead-status-connected = Nawiązano kontakt
lead-status-qualified = Zakwalifikowany
lead-status-disqualified = Zdyskwalifikowany
lead-status-recycled = Do ponownego kontaktu
dq-junk = Śmieci
dq-no_budget = Brak budżetu
dq-no_authority = Brak decyzyjności
dq-no_need = Brak potrzeby
dq-bad_timing = Zły moment
dq-competitor = Wybrał konkurencję
dq-unreachable = Nieosiągalny
dq-duplicate = Duplikat
dq-other = Inny
deal-status-open = Otwarta
deal-status-won = Wygrana
deal-status-lost = Przegrana
tier-tier_1 = Poziom 1
tier-tier_2 = Poziom 2
tier-tier_3 = Poziom 3
link-role-decision_maker = Decydent
link-role-influencer = Wpływowy
link-role-user = Użytkownik
link-role-champion = Orędownik
link-role-other = Inna
role = Rola
role-admin = Administrator
role-marketing = Marketing
role-sales = Sprzedaż
role-agent = Konsultant
role-read_only = Tylko odczyt
activity-page_view = Odsłona strony
activity-form_submission = Wysłany formularz
activity-email_sent = Wysłany e-mail
activity-email_opened = Otwarty e-mail
activity-email_clicked = Kliknięcie w e-mailu
activity-email_bounced = Odbity e-mail
activity-unsubscribed = Wypisanie
activity-chat_message = Wiadomość na czacie
activity-call = Rozmowa
activity-meeting = Spotkanie
activity-note = Notatka
activity-task = Zadanie
activity-product_event = Zdarzenie w produkcie
activity-purchase = Zakup
activity-import = Import
activity-stage_changed = Zmiana etapu
activity-segment_entered = Wejście do segmentu
activity-segment_left = Wyjście z segmentu
activity-lead_assigned = Przydzielenie leada
activity-score_changed = Zmiana kategorii wyniku
outcome-connected = Połączono
outcome-left_voicemail = Wiadomość głosowa
outcome-no_answer = Brak odpowiedzi
outcome-busy = Zajęte
outcome-wrong_number = Błędny numer
object-contact = Kontakt
object-company = Firma
object-deal = Szansa sprzedaży

## Import
import-upload = Prześlij plik CSV
import-intro = UTF-8 (z BOM lub bez), rozdzielany przecinkami, średnikami lub tabulatorami. Eksporty z HubSpot, Mautic, Salesforce i Kontaktów Google są rozpoznawane.
import-file = Plik
import-object = Importuj jako
import-source-list = Nazwa kupionej listy (opcjonalnie)
import-source-list-hint = Każdy wiersz zostanie nią oznaczony, by później zmierzyć jakość listy.
import-region = Kraj dla numerów bez kierunkowego (opcjonalnie)
import-region-hint = Dwie litery, np. PL
import-next = Prześlij i sprawdź kolumny
import-recent = Ostatnie importy
import-none = Brak importów.
import-status = Status
import-result = Wynik
import-dry-run = próba
import-choose-file = Wybierz plik CSV do przesłania.
import-map-title = Sprawdź kolumny
import-map-intro = Leadline odczytał kolumny pliku { $file }. Zmień, jak zaimportować kolumnę, lub ją pomiń.
import-column = Kolumna w pliku
import-sample = Pierwsze wartości
import-target = Importuj jako
import-ignore = (pomiń)
import-owner-email = Właściciel (e-mail użytkownika)
import-contact-emails = E-maile kontaktów
import-external-id = Identyfikator zewnętrzny ({ $system })
import-leadline-id = Identyfikator Leadline (aktualizuje tę osobę)
import-dry-run-button = Próba bez zapisu
import-run-button = Importuj
import-job-title = Import
import-progress = Postęp
import-count-created = Utworzone
import-count-updated = Zaktualizowane
import-count-merged = Scalone duplikaty
import-count-rejected = Odrzucone
import-created = utworzone: { $n }
import-updated = zaktualizowane: { $n }
import-merged = scalone: { $n }
import-rejected = odrzucone: { $n }
import-rejects = Pobierz odrzucone wiersze
import-run-now = Zaimportuj teraz ten plik
import-back = Wszystkie importy
job-queued = Oczekuje
job-running = W toku
job-done = Gotowe
job-failed = Nieudane
job-cancelled = Anulowane
job-phase-analyzing = Aktualizacja statystyk bazy danych
job-undone = Cofnięte
import-undo = Cofnij ten import…
import-undo-explain = Kontakty, firmy lub transakcje utworzone przez ten import zostaną usunięte, a zaktualizowane odzyskają wartości sprzed importu. Nie jest to możliwe, jeśli w międzyczasie coś innego zmieniło któryś z nich.
import-undo-confirm = Cofnij import
import-undo-deleted = { $count ->
    [one] Usunięto 1 rekord
    [few] Usunięto { $n } rekordy
   *[many] Usunięto { $n } rekordów
}
import-undo-restored = { $count ->
    [one] Przywrócono 1 rekord
    [few] Przywrócono { $n } rekordy
   *[many] Przywrócono { $n } rekordów
}

## Settings
settings-account = Twoje konto
settings-tokens = Tokeny API
settings-users = Użytkownicy i role
settings-properties = Własne właściwości
settings-saved-password = Hasło zostało zmienione.
settings-saved-user = Użytkownik został zapisany.
settings-saved-property = Właściwości zostały zapisane.
settings-saved-revoked = Token został unieważniony.
token-shown-once = Skopiuj ten token teraz. Jest wyświetlany tylko raz.
token-name = Nazwa
token-prefix = Zaczyna się od
token-scope = Dostęp
token-last-used = Ostatnio użyty
token-create = Utwórz token
token-revoke = Unieważnij
token-revoked = unieważniony
empty-tokens = Brak tokenów. Token pozwala innemu programowi korzystać z API w Twoim imieniu.
scope-read = Odczyt
scope-write = Odczyt i zapis
user-add = Dodaj użytkownika
user-disabled = Wyłączony
prop-add = Dodaj właściwość
prop-object = Rekord
prop-label = Etykieta
prop-name = Nazwa w API
prop-name-hint = Małe litery, cyfry i _, np. przedzial_budzetu
prop-type = Typ
prop-options = Opcje (dla typów wyboru)
empty-properties = Brak własnych właściwości.
prop-type-text = Tekst
prop-type-number = Liczba
prop-type-bool = Tak/nie
prop-type-date = Data
prop-type-enum = Jeden wybór
prop-type-multi_enum = Wiele wyborów

dup-title = Możliwe duplikaty
dup-intro = Kontakty, które wyglądają na jedną osobę, ale nie zostały scalone: mają ten sam telefon, to samo imię i nazwisko w tej samej firmie albo rzadkie imię i nazwisko. Scal je (scalenie można cofnąć na stronie kontaktu) lub zostaw osobno.
dup-reason-same_phone = Ten sam numer telefonu
dup-reason-same_name_company = To samo imię i nazwisko w tej samej firmie
dup-reason-same_name_other_email = To samo imię i nazwisko, inny adres e-mail
dup-status-open = Do sprawdzenia
dup-status-merged = Scalone
dup-status-dismissed = Osobno
dup-merge = Scal
dup-dismiss = To nie ta sama osoba
dup-scan = Znajdź osoby o tym samym imieniu i nazwisku
dup-none = Nic do sprawdzenia.
dup-scanned = { $count ->
    [one] Znaleziono { $n } nową parę do sprawdzenia.
    [few] Znaleziono { $n } nowe pary do sprawdzenia.
   *[other] Znaleziono { $n } nowych par do sprawdzenia.
}
dup-merged = Scalono. Starszy kontakt zachowuje swój identyfikator; scalenie można cofnąć na jego stronie.
dup-dismissed = Zostawiono osobno: ta para nie będzie już proponowana.
dup-found-on = znaleziono { $when }
dup-merged-on = scalono { $when }
dup-dismissed-on = zostawiono osobno { $when }
dup-created = dodano { $when }
import-count-possible_duplicates = Możliwe duplikaty
import-count-warnings = Pominięte wartości
import-first-rejects = Odrzucone wiersze
import-first-warnings = Wartości pominięte w zaimportowanych wierszach
import-line = Wiersz { $line }:
import-default-stage = Etap cyklu życia dla wierszy bez etapu
import-default-stage-auto = Automatycznie (kupione listy zaczynają jako subskrybenci, pozostałe jako leady)
deal-stage-qualified = Zakwalifikowana
deal-stage-presentation = Prezentacja
deal-stage-decision = Decyzja
deal-stage-contract_sent = Umowa wysłana
deal-stage-closed_won = Wygrana
deal-stage-closed_lost = Przegrana
industry-logistics = Logistyka
industry-software = Oprogramowanie
industry-food = Żywność
industry-energy = Energetyka
industry-design = Projektowanie
industry-healthcare = Ochrona zdrowia
industry-retail = Handel detaliczny
industry-manufacturing = Produkcja
industry-financial_services = Usługi finansowe
industry-media = Media
channel-web = Strona
channel-email = E-mail
channel-chat = Czat
channel-phone = Telefon
channel-product = Produkt
channel-support = Wsparcie
channel-sales = Sprzedaż
bulk-backward = { $count ->
    [one] { $n } z wybranych kontaktów cofnąłby się w lejku. Zaznacz „cofnij”, aby potwierdzić; nic nie zmieniono.
   *[other] { $n } z wybranych kontaktów cofnęłoby się w lejku. Zaznacz „cofnij”, aby potwierdzić; nic nie zmieniono.
}
error-open-holder = Otwórz ten kontakt
import-new-property = Zachowaj jako nową właściwość
list-total = { $count ->
    [one] { $n } wynik
    [few] { $n } wyniki
   *[other] { $n } wyników
}
list-total-more = Ponad { $n } wyników

## Scores
scores = Punktacja
score-priority = Priorytet
score-fit = Dopasowanie
score-engagement = Zaangażowanie
score-product = Produkt
score-times = { $count ->
    [one] raz
    [few] { $n } razy
   *[many] { $n } razy
}
score-capped = limit osiągnięty
score-nothing = Nic jeszcze się nie liczy.

## Segments
nav-segments = Segmenty
seg-intro = Kontakty spełniające warunek, aktualizowane na bieżąco: każda nowa aktywność jest uwzględniana w ciągu sekundy.
seg-none = Nie ma jeszcze segmentów.
seg-new = Nowy segment
seg-name = Nazwa
seg-condition = Warunek
seg-condition-hint = Na przykład: lifecycle_stage = "mql" and country = "PL" albo count(page_view where url contains "/pricing", last 14 days) >= 2
seg-create = Utwórz segment
seg-members = Członkowie
seg-no-members = Nie ma w nim jeszcze kontaktów (nowy segment wypełnia się w chwilę).
seg-count = { $count ->
    [one] { $n } kontakt
    [few] { $n } kontakty
   *[many] { $n } kontaktów
}
nav-queue = Kolejka pracy
queue-whose = Czyje leady
queue-mine = Moje leady
queue-team = Zespół { $team }
queue-only-breached = Tylko po terminie SLA
queue-show = Pokaż
queue-empty = Brak otwartych leadów. Leady trafiają tu, gdy silnik uzna kontakt za MQL, a routing przydzieli go komuś.
queue-priority = Priorytet
queue-lead = Lead
queue-stage = Etap
queue-why = Dlaczego tutaj
queue-owner = Opiekun
queue-sla = Pierwszy kontakt
queue-intent = Ostatni sygnał zamiaru
queue-late = Po terminie.
queue-due = termin { $when }
queue-touched = kontakt { $when }
queue-total = { $count ->
    [one] { $n } otwarty lead
    [few] { $n } otwarte leady
   *[many] { $n } otwartych leadów
}
queue-breached = { $count ->
    [one] { $n } po terminie SLA
    [few] { $n } po terminie SLA
   *[many] { $n } po terminie SLA
}
queue-reason-account-owner = Opiekun konta
queue-reason-territory = Terytorium { $country }, zespół { $team }
queue-reason-round-robin = Po kolei, zespół { $team }
queue-reason-owner = Przydzielony ręcznie
queue-reason-unassigned = Jeszcze nieprzydzielony
routing-title = Routing
routing-saved = Zapisano routing.
routing-rules = Reguły przydziału
routing-intro = Gdy silnik uzna kontakt za MQL, a kontakt nie ma opiekuna, reguły są sprawdzane po kolei; pierwsza, która znajdzie dostępną osobę, przydziela jej leada. Osoby nieobecne lub z pełnym limitem są pomijane.
routing-rules-hint = Jedna reguła w wierszu: account owner · territory PL, CZ -> zespół · round robin zespół
routing-line-error = Wiersz { $line }: oczekiwano { $expected }
routing-sla = Minuty na pierwszy kontakt (SLA)
routing-members = Kto przyjmuje leady
routing-no-members = Nikt jeszcze nie przyjmuje leadów: dodaj użytkownika do zespołu.
routing-member = Użytkownik
routing-member-set = Dodaj lub zmień osobę
routing-team = Zespół
routing-weight = Udział (waga)
routing-max-open = Najwięcej otwartych leadów
routing-away-until = Nieobecny do
routing-open = Otwarte leady
routing-remove = Usuń
seg-kind = Rodzaj
seg-dynamic = Dynamiczny: kontakty spełniające warunek
seg-static = Lista statyczna: kontakty dodane ręcznie
seg-static-hint = Dodawaj kontakty z listy kontaktów: zaznacz je (albo wszystkie pasujące do filtra) i wybierz „Dodaj do listy”.
seg-open-list = Otwórz jako listę kontaktów
seg-remove = Usuń
bulk-add-to-list = Dodaj do listy
bulk-list = Lista
seg-preview-button = Policz teraz
seg-preview = { $count ->
    [one] Warunek spełnia teraz { $n } kontakt.
    [few] Warunek spełniają teraz { $n } kontakty.
   *[many] Warunek spełnia teraz { $n } kontaktów.
}
scoring-title = Reguły punktacji i cyklu życia
scoring-open = Edytuj reguły
scoring-intro = Każdy model punktacji sumuje punkty swoich reguł: raz, dopóki warunek jest spełniony, albo za każdą aktywność danego typu w oknie czasowym, o połowę mniej co okres półtrwania. Podgląd pokazuje, co zmiana zrobi z próbką kontaktów, zanim cokolwiek się zmieni; Zastosuj zapisuje ją jako nową wersję i ocenia każdy kontakt od nowa.
scoring-version = Obowiązuje wersja { $version }.
scoring-shipped = Obowiązują reguły dostarczone z nową instalacją.
scoring-restored = Przywrócono wersję { $version }
scoring-col-remove = Usuń
scoring-col-name = Reguła
scoring-col-kind = Punkty za
scoring-col-what = Warunek lub typ aktywności
scoring-col-where = Tylko aktywności, gdzie
scoring-col-window = Okno (dni)
scoring-col-points = Punkty
scoring-col-cap = Limit
scoring-col-half-life = Półtrwanie (dni)
scoring-col-stage = Przenosi do
scoring-col-condition = Dopóki spełnione
scoring-kind-when = warunek
scoring-kind-each = każdą aktywność
scoring-thresholds = Kategorie, od najwyższej
scoring-thresholds-hint = Kategoria i jej najniższy wynik, oddzielone przecinkami; ostatnia nie potrzebuje wyniku: A 60, B 40, C 20, D
scoring-lifecycle = Reguły cyklu życia
scoring-lifecycle-intro = Dopóki warunek reguły jest spełniony, kontakt wcześniej w lejku przechodzi naprzód do jej etapu; reguły nigdy nikogo nie cofają.
scoring-note = Notatka
scoring-preview = Podgląd
scoring-apply = Zastosuj
scoring-preview-title = Co zrobi ta zmiana
scoring-preview-summary = Oceniono { $sample } z { $contacts } kontaktów według obecnych reguł i według tych, w { $ms } ms.
scoring-preview-nothing = Żaden kontakt z próbki nie zmieniłby kategorii, etapu ani segmentu.
scoring-preview-categories = Zmiany kategorii
scoring-preview-stages = Zmiany etapu
scoring-preview-segments = Zmiany segmentów
scoring-preview-movers = Największe zmiany wyniku
scoring-preview-model = Model
scoring-preview-from = Z
scoring-preview-to = Do
scoring-preview-contacts = Kontakty
scoring-preview-leaving = Opuszcza
scoring-preview-entering = Wchodzi
scoring-versions = Wersje
scoring-no-versions = Nie zapisano jeszcze żadnej wersji: obowiązują reguły dostarczone.
scoring-version-col = Wersja
scoring-version-when = Zastosowano
scoring-version-by = Przez
scoring-version-current = bieżąca
scoring-restore = Przywróć
error-code-invalid_points = To musi być liczba, np. 10 lub -5.
job-apply-rules = Ponowna ocena każdego kontaktu według nowych reguł
scoring-how = Jak powstają wyniki
account-scores = Wynik konta
account-engagement = Zaangażowanie jego ludzi
account-engaged = { $count ->
    [one] { $n } zaangażowana osoba
    [few] { $n } zaangażowane osoby
   *[many] { $n } zaangażowanych osób
}
score-account_fit = Dopasowanie konta
seg-history = Wejścia i wyjścia, ostatnie 30 dni
seg-history-total = Weszło: { $entered } · wyszło: { $left }
seg-history-day = Dzień
builder-title = Zbuduj warunek
builder-field = Pole
builder-op = Jest
builder-value = Wartość
builder-add = Dodaj
builder-contains = zawiera
builder-empty = jest puste
builder-not-empty = nie jest puste
builder-did = Wykonał(a)
builder-times = co najmniej (razy)
builder-days = w ostatnich (dniach)
builder-reads = Odczytano:
builder-category = kategoria
builder-tag = Tag
builder-email_domain = Domena e-mail
builder-open_deals = Otwarte transakcje
builder-won_deals = Wygrane transakcje

## Śledzenie: witryny, punkty styku
field-latest_source = Ostatnie źródło
field-first_touch_at = Pierwszy kontakt
field-first_touch_source = Źródło pierwszego kontaktu
field-first_touch_medium = Medium pierwszego kontaktu
field-first_touch_campaign = Kampania pierwszego kontaktu
field-first_touch_referrer = Strona odsyłająca pierwszego kontaktu
field-latest_touch_at = Ostatni kontakt
field-latest_touch_source = Źródło ostatniego kontaktu
field-latest_touch_medium = Medium ostatniego kontaktu
field-latest_touch_campaign = Kampania ostatniego kontaktu
field-latest_touch_referrer = Strona odsyłająca ostatniego kontaktu
activity-identified = Rozpoznany
channel-paid_search = Płatne wyszukiwanie
channel-paid_social = Płatne social media
channel-organic_search = Wyszukiwanie organiczne
channel-organic_social = Organiczne social media
channel-content = Treści
channel-display = Reklama displayowa
channel-events = Wydarzenia i targi
channel-referral = Polecenie
channel-partner = Partner
channel-purchased_list = Kupiona lista
channel-direct = Bezpośrednio
sites-title = Witryny i śledzenie
sites-open = Witryny i kod śledzenia
sites-intro = Każda witryna wysyła do Leadline odsłony, kliknięcia i zdarzenia: znacznikiem skryptu na swoich stronach albo z dowolnej biblioteki Segment skierowanej na ten serwer z kluczem zapisu witryny. Odwiedzający pozostają anonimowi, dopóki formularz lub wywołanie identify nie powie, kim są; wtedy wszystko, co zrobili, należy do kontaktu.
sites-inbox = Odebrane zdarzenia: { $kept }; czekające na odczyt: { $waiting }.
sites-none = Nie ma jeszcze żadnej witryny.
sites-write-key = Klucz zapisu
sites-origins = Dozwolone źródła (origin)
sites-no-origins = brak: wysyłać mogą tylko biblioteki serwerowe
sites-origins-hint = Adresy stron witryny, np. https://example.com, rozdzielone przecinkami. Przeglądarki na innych witrynach są odrzucane.
sites-snippet = Znacznik skryptu na strony witryny
sites-server = Adres API Segment
sites-delete = Usuń witrynę
sites-new = Dodaj witrynę
sites-name = Nazwa
sites-consent = Bez ciasteczka, dopóki odwiedzający nie wyrazi zgody (strona wywołuje leadline.consent(true))
sites-dnt = Szanuj Do Not Track i Global Privacy Control
sites-create = Dodaj witrynę
source-title = Skąd przyszli
source-original = Pierwotne źródło
source-first = Pierwszy kontakt
source-latest = Ostatni kontakt
source-none = Nie ma jeszcze śledzonej wizyty.
source-visitors = Przeglądarki
source-visitor = { $site }: pierwszy raz { $first }, ostatnio { $last }
source-unlink = To nie ta osoba
form-submit = Wyślij
form-thanks = Dziękujemy! Odezwiemy się.
form-fix = Sprawdź pola zaznaczone poniżej.
form-consent-required = Aby przejść dalej, potrzebna jest ta zgoda.
nav-forms = Formularze
forms-title = Formularze
forms-intro = Formularze zamieniają odwiedzających w kontakty. Każdy ma własny adres i można go osadzić na stronach witryny; wysłanie tworzy lub aktualizuje kontakt, łączy z nim wcześniejsze wizyty odwiedzającego i zapisuje, skąd przyszedł.
forms-none = Nie ma jeszcze żadnego formularza.
forms-new = Nowy formularz
forms-counts = Ostatnie 30 dni: { $views } wyświetleń, { $submissions } wysłań, konwersja { $rate }
forms-live = Opublikowany
forms-url = Adres
forms-embed = Kod do osadzenia
forms-embed-hint = Umieść go na stronie ze skryptem śledzenia: formularz pozna wtedy odwiedzającego i kampanię, z której przyszedł.
forms-name = Nazwa
forms-slug = Adres (litery, cyfry, myślniki)
forms-site = Witryna
forms-no-site = Najpierw dodaj witrynę
forms-fields = Pola
forms-fields-hint = Wiersze bez pola są pomijane. Pola progresywne pojawiają się tylko dla osób już znanych, zamiast tych, na które już odpowiedziały. Opcje wyboru rozdziela się przecinkami.
forms-target = Wypełnia
forms-label = Etykieta
forms-kind = Rodzaj
forms-required = Wymagane
forms-progressive = Progresywne
forms-options = Opcje
forms-remove = Usuń
forms-consent = Pola zgody
forms-consent-channel = Kanał
forms-consent-wording = Treść obok pola wyboru
consent-channel-email = E-mail
consent-channel-phone = Telefon
consent-channel-chat = Czat
forms-thank-you = Podziękowanie
forms-redirect = Albo przekieruj pod ten adres
forms-save = Zapisz formularz
forms-delete = Usuń formularz
form-kind-text = Tekst
form-kind-email = E-mail
form-kind-phone = Telefon
form-kind-textarea = Długi tekst
form-kind-select = Wybór
form-kind-checkbox = Pole wyboru
nav-campaigns = Kampanie
campaigns-title = Kampanie
campaigns-intro = Ile kosztowała każda kampania i kanał, co przyniosły i jak dobre były ich leady. Kontakt należy do kampanii z utm_campaign swojego pierwszego kontaktu albo z listy źródłowej swojego importu.
campaigns-report-options = Opcje raportu
campaigns-from = Od
campaigns-to = Do
campaigns-by = Według
campaigns-by-campaign = Kampania
campaigns-by-channel = Kanał
campaigns-model = Model atrybucji
model-first_touch = Pierwszy kontakt
model-last_touch = Ostatni kontakt
model-linear = Liniowy
model-u_shaped = W kształcie U (40/20/40)
model-time_decay = Zanik w czasie (7 dni)
campaigns-conversion = Konwersja
conversion-lead = Nowe leady
conversion-mql = MQL
conversion-won = Wygrane szanse
campaigns-show = Pokaż
campaigns-period = Od { $from } do { $to }, wobec okresu od { $pfrom } do { $pto }
campaigns-costs = Koszt leada, MQL i klienta
campaigns-spend = Wydatki
campaigns-leads = Leady
campaigns-cpl = Koszt leada
campaigns-mqls = MQL
campaigns-cpmql = Koszt MQL
campaigns-customers = Klienci
campaigns-cac = Koszt klienta
campaigns-cpl-before = Koszt leada wcześniej
campaigns-total = Razem
campaigns-quality = Jakość źródeł
campaigns-source = Źródło
campaigns-disqualified = Zdyskwalifikowani
campaigns-revenue = Przychód
campaigns-attribution = Atrybucja
campaigns-credited = Przypisane konwersje
campaigns-value = Przypisana wartość
campaigns-list = Wszystkie kampanie
campaigns-none = Nie ma jeszcze żadnej kampanii.
campaigns-name = Kampania
campaigns-channel = Kanał
campaigns-maps = Kontakty z
campaigns-budget = Budżet
campaigns-spent = Wydano
campaigns-new = Nowa kampania
campaigns-list-tag = Kupiona lista (lista źródłowa importu)
campaigns-starts = Zaczyna się
campaigns-ends = Kończy się
campaigns-create = Dodaj kampanię
campaigns-add-spend = Wpisz wydatki
campaigns-when = Dzień lub miesiąc
campaigns-amount = Kwota
campaigns-save-spend = Zapisz
campaigns-bad-amount = To nie jest kwota.
campaigns-csv-hint = Eksporty z Google Ads i Meta Ads przyjmuje bez zmian POST /api/v1/campaigns/spend.csv.
nav-pages = Strony docelowe
pages-title = Strony docelowe
pages-intro = Strony, które Leadline utrzymuje dla kampanii: nagłówek, tekst, obrazy, wezwanie do działania i formularz. Dodaj stronie wersję B, aby ją przetestować: każdy odwiedzający zostaje przy wersji, którą zobaczył, a dla każdej wersji liczone są wyświetlenia, kliknięcia i wysłania.
pages-none = Nie ma jeszcze żadnej strony docelowej.
pages-new = Nowa strona docelowa
pages-counts = { $variant }: { $views } wyświetleń, { $clicks } kliknięć, { $submissions } wysłań, konwersja { $rate }
pages-slug = Adres (/p/…: litery, cyfry, myślniki)
pages-version-a = Wersja A
pages-version-b = Wersja B (pusta: bez testu)
pages-split = Odsetek odwiedzających, którzy widzą B (%)
pages-hint = Wiersze bez bloku są pomijane. Tekst obrazu go opisuje; adres wezwania do działania to miejsce, do którego prowadzi przycisk.
pages-block = Blok
pages-text = Tekst
pages-url = Adres
pages-form = Formularz
pages-save = Zapisz stronę
pages-delete = Usuń stronę
block-headline = Nagłówek
block-text = Tekst
block-image = Obraz
block-cta = Wezwanie do działania
block-form = Formularz
webhooks-title = Webhooki
webhooks-open = Webhooki
webhooks-intro = Leadline wysyła metodą POST na Twój adres każde zasubskrybowane zdarzenie jako JSON, podpisane zgodnie ze specyfikacją Standard Webhooks: sprawdź je sekretem i dowolną biblioteką tej specyfikacji. Dostawa bez odpowiedzi 2xx jest ponawiana coraz później, przez mniej więcej dobę.
webhooks-none = Nie ma jeszcze żadnego webhooka.
webhooks-events = Zdarzenia
webhooks-secret = Sekret podpisu
webhooks-deliveries = Ostatnie dostawy
webhooks-no-deliveries = Nic jeszcze nie wysłano.
webhooks-event = Zdarzenie
webhooks-status = Stan
webhooks-attempts = Próby
webhooks-answer = Ostatnia odpowiedź
webhooks-when = Kiedy
webhooks-status-pending = Czeka
webhooks-status-delivered = Dostarczono
webhooks-status-failed = Nie powiodło się
webhooks-redeliver = Wyślij ponownie
webhooks-delete = Usuń webhook
webhooks-new = Dodaj webhook
webhooks-url = Adres
webhooks-create = Dodaj webhook

# Analytics
nav-analytics = Analityka
analytics-title = Analityka
analytics-intro = Jak daleko ludzie dochodzą przez wybrane kroki, ilu odpada na każdym i ile trwa każdy krok. Osoba to kontakt albo jeszcze nieznany odwiedzający; odwiedzający, który wypełni formularz, wnosi swoje wcześniejsze kroki.
analytics-funnel = Lejek
analytics-steps = Kroki, po kolei
analytics-step-type = Aktywność
analytics-step-where = Tylko gdy
analytics-window = W ciągu
analytics-unit = Jednostka
analytics-unit-days = dni
analytics-unit-hours = godzin
analytics-mode = Tryb
mode-default = Między krokami mogą być inne aktywności
mode-strict_order = Żadnej innej aktywności między krokami
mode-strict_deduplication = Powtórzony krok kończy lejek
mode-strict_increase = Każdy krok ściśle później
analytics-breakdown = Podziel według
analytics-no-breakdown = Bez podziału
analytics-result = Osoby na każdym kroku
analytics-period = Od { $from } do { $to }; { $mode }.
analytics-chart = Osoby, które doszły do kroku lub dalej
analytics-chart-caption = Każdy słupek to osoby, które doszły do tego kroku lub dalej, i ich udział w pierwszym kroku.
analytics-step = Krok
analytics-people = Osoby
analytics-from-previous = Od poprzedniego kroku
analytics-from-first = Od pierwszego kroku
analytics-dropped = Odpadło
analytics-median = Mediana czasu od poprzedniego kroku
analytics-average = Średni czas
analytics-csv = Pobierz jako CSV
analytics-by-group = Według wartości
analytics-value = Wartość
analytics-other = Pozostałe
analytics-no-value = Bez wartości
analytics-seconds = { $n } s
analytics-minutes = { $n } min
analytics-hours = { $n } godz.
analytics-days = { $n } d

# Pipelines, the board and the forecast
sales-list = Lista
sales-board = Tablica
sales-forecast = Prognoza
board-title = Tablica lejka sprzedaży
board-new-deal = Nowa szansa
board-filters = Filtry tablicy
board-everyone = Wszyscy
board-team = Zespół
board-every-team = Wszystkie zespoły
board-close-month = Zamknięcie w
board-unconverted = { $count ->
    [one] { $n } szansa jest w walucie bez kursu: liczona, nie sumowana.
    [few] { $n } szanse są w walucie bez kursu: liczone, nie sumowane.
   *[other] { $n } szans jest w walucie bez kursu: liczone, nie sumowane.
}
board-help = Przenieś szansę jej formularzem albo przeciągnij do innego etapu. Z klawiatury: ustaw fokus na karcie, Spacja ją podnosi, strzałki wybierają etap, Spacja odkłada, Escape anuluje.
board-count = { $count ->
    [one] { $n } szansa
    [few] { $n } szanse
   *[other] { $n } szans
}
board-weighted = Ważone prawdopodobieństwem etapu
board-weighted-short = ważone { $amount }
board-stuck = Utknęła
board-move-to = Przenieś do
board-move = Przenieś
board-close = Wygrana lub przegrana
board-outcome = Wynik
board-reason = Powód
board-close-deal = Zamknij szansę
board-more = { $count ->
    [one] i jeszcze { $n }
   *[other] i jeszcze { $n }
}
board-no-owner = Bez opiekuna
board-other-stage = Nie jest etapem tego lejka
board-untitled = (bez nazwy)
board-age = { $n } d od utworzenia
board-in-stage = { $n } d w etapie
board-picked = Podniesiono { $name }. Strzałki wybierają etap, Spacja odkłada, Escape anuluje.
board-over = Nad { $stage }.
forecast-title = Prognoza
forecast-intro = Szanse według miesiąca planowanego zamknięcia, w { $currency } po kursie z dnia zamknięcia: otwarte, ważone prawdopodobieństwem etapu, według kategorii prognozy (każda z pewniejszymi) i wygrane, wobec celu miesiąca.
forecast-by-month = Miesiąc
forecast-by-owner = Opiekun
forecast-by-team = Zespół
forecast-chart = Wygrane i zobowiązane według miesięcy
forecast-chart-caption = Każdy słupek to wygrane plus zobowiązane w miesiącu; po ukośniku cel miesiąca.
forecast-month = Miesiąc
forecast-open-deals = Otwarte szanse
forecast-open = Otwarte
forecast-closed-won = Wygrane
forecast-goal = Cel
forecast-attainment = Celu
forecast-category-omitted = Pominięta
forecast-category-pipeline = Lejek
forecast-category-best_case = Najlepszy przypadek
forecast-category-commit = Zobowiązanie
field-won_reason = Powód wygranej
field-forecast_category = Kategoria prognozy
field-stage_entered_at = W etapie od
won-reason-price = Cena
won-reason-product_fit = Dopasowanie produktu
won-reason-relationship = Relacja
won-reason-timing = Termin
won-reason-support = Wsparcie
lost-reason-price = Cena
lost-reason-competitor = Wybrano konkurenta
lost-reason-no_budget = Brak budżetu
lost-reason-no_decision = Brak decyzji
lost-reason-timing = Termin
lost-reason-product_fit = Dopasowanie produktu

# Dashboard figures
metric-title = Ten okres wobec poprzedniego
metric-period = Od { $from } do { $to }, wobec okresu od { $pfrom } do { $pto }. Etapy: kontakty, które weszły w każdy w tym okresie. Koszty: wszystkie wydatki na kampanie wobec wszystkich nowych leadów i klientów. Policzono { $time } (UTC), najwyżej raz na minutę.
metric-before = wcześniej: { $value }
metric-chart = Kontakty, które doszły do każdego etapu w okresie
metric-chart-caption = Każdy słupek to kontakty, które weszły w etap w tym okresie.
metric-new_leads = Nowe leady
metric-mqls = MQL
metric-sqls = SQL
metric-opportunities = Szanse
metric-customers = Nowi klienci
metric-won_revenue = Wygrany przychód
metric-won_deals = Wygrane szanse
metric-open_pipeline = Otwarty lejek (teraz)
metric-weighted_pipeline = Ważony lejek (teraz)
metric-spend = Wydatki na kampanie
metric-cost_per_lead = Koszt leada
metric-cac = Koszt klienta
metric-win_rate = Odsetek wygranych
metric-average_deal = Średnia wygrana szansa
metric-sales_cycle_days = Cykl sprzedaży
metric-velocity_per_day = Tempo lejka dziennie

# Customer lifetime value
clv-title = Wartość klienta w czasie
clv-intro = Co klienci kupili (ich wygrane szanse i zarejestrowane zamówienia) i co kupią: jak często (BG/NBD) i za ile (Gamma-Gamma), dopasowane metodą największej wiarygodności do twoich klientów, oczekiwane zakupy każdego miesiąca zdyskontowane na dziś.
clv-horizon = Miesięcy naprzód
clv-rate = Dyskonto miesięczne
clv-segment = Klienci w
clv-every-customer = Wszyscy klienci
clv-by-channel = Według kanału, z którego przyszli klienci
clv-summary = Klienci: { $customers }; średnio { $historical } kupione dotąd i { $predicted } oczekiwane w ciągu { $months } mies.
clv-models = Dopasowane na { $customers } klientach ({ $repeat } kupiło więcej niż raz): r { $r }, α { $alpha }, a { $a }, b { $b }; p { $p }, q { $q }, γ { $gamma }.
clv-no-models = Za mało klientów kupiło więcej niż raz, by przewidywać (potrzeba 20 klientów i 5 powracających): liczby to to, co kupili.
clv-chart = Wartość klienta według kanału
clv-chart-caption = Każdy słupek to średnia wartość klienta z kanału: kupione dotąd i oczekiwane w horyzoncie.
clv-customers = Klienci
clv-historical = Kupione dotąd
clv-predicted = Wartość oczekiwana
clv-ratio = Wartość / CAC
clv-top = Najcenniejsi klienci
clv-none = Żaden klient nie ma jeszcze wygranej szansy.
clv-customer = Klient
clv-purchases = Zakupy
clv-alive = Nadal klientem
clv-expected = Oczekiwane zakupy

# Pipelines settings
pipelines-title = Lejki sprzedaży
pipelines-intro = Etapy, przez które przechodzą szanse, każdy z prawdopodobieństwem wygranej, kategorią prognozy, liczbą dni, po której szansa utknęła, i polami potrzebnymi do wejścia; kursy walut i miesięczne cele prognozy.
pipelines-open = Lejki, kursy i cele
pipelines-saved = Zapisano.
pipelines-format = Jeden etap w linii: klucz | nazwa | prawdopodobieństwo | kategoria (omitted, pipeline, best_case lub commit) | dni do utknięcia | potrzebne pola. Lejka, w którym są szanse, nie można usunąć.
pipelines-new = Nowy lejek
pipelines-key = Klucz
pipelines-label = Nazwa
pipelines-kind = Do
pipeline-kind-new_business = Nowa sprzedaż
pipeline-kind-upsell = Upsell i cross-sell
pipeline-kind-renewal = Odnowienie
pipelines-stages = Etapy
pipelines-save = Zapisz
pipelines-rates = Kursy walut
pipelines-rates-intro = Ile jest warta jednostka innej waluty w { $currency }, od danego dnia; szansę przelicza się po kursie z dnia zamknięcia.
pipelines-rates-lines = Jeden w linii: waluta, dzień, kurs (USD 2026-01-01 0.92)
pipelines-goals = Cele miesięczne
pipelines-goals-lines = Jeden w linii: miesiąc i cel zespołu w { $currency } (2026-07 40000.00)
pipelines-bad-line = Linia { $n } jest nieczytelna.

# Journeys
journey-title = Ścieżki
journey-intro = Gdzie na ścieżce jest kontakt, ludzie firmy albo członkowie segmentu, co ich dotknęło na każdym etapie, ilu poszło dalej i gdzie po raz ostatni dotknięto tych, którzy się zatrzymali. Mapę kontaktu lub firmy otwiera się z jej strony.
journey-whose = { $name }: osoby: { $people }
journey-caption = Każde pole to etap ścieżki z osobami, które do niego doszły, i jego najczęstszymi punktami styku; każda strzałka to odsetek tych, którzy poszli dalej; pod każdym polem ci, którzy się na nim zatrzymali.
journey-awareness = Świadomość
journey-consideration = Rozważanie
journey-decision = Decyzja
journey-loyalty = Lojalność
journey-reached = doszło: { $n }
journey-stopped = zatrzymało się: { $n }
journey-stage = Etap
journey-reached-col = Doszło
journey-went-on = Poszło dalej
journey-dropped = Zatrzymało się
journey-touchpoints = Punkty styku
journey-barriers = Ostatni styk tych, którzy się zatrzymali
journey-open = Mapa ścieżki

# Ready-made reports
reports-title = Raporty
reports-period = Kontakty, które weszły w etap od { $from } do { $to }, i czy poszły dalej (kiedykolwiek potem).
reports-lifecycle = Konwersja cyklu życia i czas między etapami
reports-lifecycle-caption = Każdy słupek to odsetek tych, którzy weszli w etap i doszli do następnego lub dalszego.
reports-step = Z → do
reports-entered = Weszło
reports-conversion = Konwersja
reports-median = Mediana czasu
reports-cohorts = Utrzymani klienci według miesiąca pierwszego zakupu
reports-cohorts-intro = Każdy wiersz to klienci, których pierwsza wygrana szansa zamknęła się w tym miesiącu; każda kolumna to miesiące od tego czasu; każda komórka to odsetek kupujących w tym miesiącu.
reports-cohorts-caption = Im ciemniejsza komórka, tym więcej nowych klientów tego miesiąca kupiło wtedy ponownie.
reports-cohort = Pierwszy zakup
analytics-presets = Gotowe i zapisane
analytics-save = Zapisz ten lejek
analytics-save-key = Pod kluczem
funnel-stage-awareness = Świadomość
funnel-stage-interest = Zainteresowanie
funnel-stage-consideration = Rozważanie
funnel-stage-intent = Zamiar
funnel-stage-evaluation = Ocena
funnel-stage-purchase = Zakup
funnel-stage-decision = Decyzja
funnel-stage-action = Działanie
reports-pipeline = Konwersja lejka i czas w każdym etapie
reports-pipeline-intro = Szanse, które weszły w każdy etap w tym okresie: ile przeszło do dalszego etapu lub zostało wygranych i ile dni w nim zostały.
reports-pipeline-caption = Każdy słupek to odsetek szans, które weszły w etap i poszły dalej.
reports-days-in-stage = Dni w etapie

health-title = Kondycja klientów
health-intro = Jak stoi każdy klient po zakupie, według modelu punktacji kondycji: korzystanie z produktu, zakupy i rozmowy z zespołem wobec zgłoszeń do wsparcia i miesiąca bez korzystania z produktu. Klienci są oceniani ponownie codziennie, więc klient, który przestał korzystać, spada bez żadnego nowego zdarzenia.
health-no-model = Twoje reguły punktacji nie mają modelu o kluczu „health”. Dodaj go w Ustawienia → Punktacja, aby zobaczyć tu kondycję klientów.
health-overview = Klienci według kondycji
health-customers = Klienci
health-upsell_candidates = Kandydaci do upsellu
health-expanding = Z szansą upsellu lub odnowienia
health-at_risk = Zagrożeni
health-chart = Klienci w każdej kategorii kondycji
health-bands = Poniżej { $low } klient jest zagrożony; od { $high } w dobrej kondycji.
health-one-band = Model kondycji ma jedną kategorię: nikt nie jest oznaczany.
health-category = Kategoria
health-not-scored = Jeszcze nie oceniony
health-at-risk = Zagrożeni klienci
health-at-risk-help = Najpierw najniższa kondycja: porozmawiaj z nimi, zanim odejdą.
health-none-at-risk = Żaden klient nie jest zagrożony.
health-score = Kondycja
health-stage = Etap
health-owner = Opiekun
health-upsell = Kandydaci do upsellu
health-upsell-help = Klienci w dobrej kondycji bez otwartej szansy upsellu ani odnowienia, od najzdrowszych.
health-none-upsell = Żaden klient w dobrej kondycji nie czeka na ofertę.
health-start-upsell = Otwórz szansę upsellu
health-no-pipeline = Nie ma lejka upsellu ani odnowień: dodaj go w Ustawienia → Lejki.
health-counted-at = Policzone { $time } (UTC), najwyżej minutę temu.
health-deal-name = Upsell – { $name }
activity-support_ticket = Zgłoszenie do wsparcia
