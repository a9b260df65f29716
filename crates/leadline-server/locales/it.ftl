# L'interfaccia di Leadline in italiano.

## Layout
skip-to-content = Vai al contenuto
nav-label = Principale
nav-dashboard = Bacheca
nav-contacts = Contatti
nav-companies = Aziende
nav-deals = Trattative
nav-import = Importa
nav-settings = Impostazioni
search = Cerca
search-label = Cerca
search-placeholder = Cerca nomi, e-mail, telefoni, aziende…
search-results = Risultati della ricerca
search-title = Ricerca: { $q }
search-hint = Scrivi un nome, un'e-mail, un numero di telefono o un'azienda.
search-none = Nessun risultato.
search-more = Mostra tutti nell'elenco
language = Lingua
language-apply = Cambia lingua
logout = Esci

## Common words
save = Salva
saved = Salvato.
create = Crea
cancel = Annulla
delete = Elimina
apply = Applica
any = Qualsiasi
yes = Sì
no = No
never = mai
actions = Azioni
older = Voci precedenti
minutes = { $count ->
    [one] { $n } minuto
   *[other] { $n } minuti
}

## Sign-in and first run
login-title = Accedi
login = Accedi
password = Password
password-hint = Almeno 10 caratteri.
password-repeat = Ripeti la password
password-change = Cambia password
password-current = Password attuale
password-new = Nuova password
setup-title = Benvenuto in Leadline
setup-intro = Crea il primo account amministratore. Potrai invitare il tuo team in seguito.
setup-submit = Crea amministratore
setup-passwords-differ = Le due password non coincidono.
your-name = Nome

## Errors
error-400 = Impossibile leggere la richiesta
error-401 = Accedi per continuare
error-403 = Non consentito
error-404 = Non trovato
error-409 = In conflitto con i dati salvati
error-413 = Troppo grande
error-422 = Controlla i dati inseriti
error-429 = Troppi tentativi
error-500 = Si è verificato un errore
error-other = Si è verificato un errore
error-internal = Il server non è riuscito a completare l'operazione. Il problema è stato registrato; riprova più tardi.
error-status = Codice di errore { $status }
error-home = Vai alla bacheca
error-code-invalid_email = Questo non è un indirizzo e-mail valido.
error-code-invalid_phone = Questo non è un numero di telefono valido. Aggiungi il prefisso internazionale, es. +39…
error-code-weak_password = La password deve avere almeno 10 caratteri.
error-code-wrong_password = La password attuale è errata.
error-code-invalid_credentials = E-mail o password errate.
error-code-rate_limited = Troppi tentativi. Attendi un minuto e riprova.
error-code-csrf = Questo modulo è scaduto. Ricarica la pagina e riprova.
error-code-forbidden = Il tuo ruolo non lo consente.
error-code-not_found = Questo record non esiste (più).
error-code-identity_taken = Un altro contatto ha già questa e-mail, questo telefono o questo id esterno.
error-code-domain_taken = Un'altra azienda ha già questo dominio.
error-code-backward_stage = Così il contatto torna indietro nel funnel. Spunta «torna indietro» per confermare.
error-code-invalid_country = Usa un codice paese di due lettere, come IT, PL o IR.
error-code-invalid_language = Usa un codice lingua come en, fa o pl.
error-code-invalid_amount = Questo non è un importo.
error-code-invalid_currency = Usa un codice valuta di tre lettere, come EUR.
error-code-invalid_date = Scrivi la data come AAAA-MM-GG.
error-code-invalid_domain = Questo non è un dominio web.
error-code-invalid_number = Deve essere un numero intero.

## Dashboard
empty-dashboard-title = Ancora nessun contatto
empty-dashboard = Inizia importando un CSV dal tuo vecchio CRM o da un foglio di calcolo, oppure aggiungi un contatto a mano.
import-csv = Importa un CSV
funnel-title = { $count ->
    [one] Funnel: { $n } contatto
   *[other] Funnel: { $n } contatti
}
funnel-counted-at = Conteggio delle { $time } (UTC); aggiornato ogni 30 secondi.
my-tasks = Le mie attività aperte
recent-contacts = Contatti più recenti

## Lists
filters = Filtri
filter-field = Campo
filter-op = Condizione
filter-value = Valore
apply-filters = Filtra
clear-filters = Rimuovi filtri
choose-columns = Colonne
select-all = Seleziona tutte le righe della pagina
select-row = Seleziona questa riga
paging = Pagine
first-page = Prima pagina
next-page = Pagina successiva
export-csv = Esporta CSV
empty-filtered = Nessun record corrisponde a questi filtri.
empty-contacts = Ancora nessun contatto. Importa un CSV o aggiungine uno.
empty-companies = Ancora nessuna azienda. Compaiono importando contatti con e-mail aziendali, oppure aggiungine una.
empty-deals = Ancora nessuna trattativa. Apri un'azienda o un contatto e aggiungine una.
new-contact = Nuovo contatto
new-company = Nuova azienda
new-deal = Nuova trattativa
op-eq = è
op-ne = non è
op-prefix = inizia con
op-gt = maggiore di
op-lt = minore di
op-in = è uno tra (a, b, …)
op-empty = è vuoto
op-not_empty = non è vuoto

## Bulk actions
bulk-label = Azioni di gruppo
bulk-with-selected = Con i selezionati:
bulk-set-stage = Imposta fase
bulk-set-status = Imposta stato
bulk-assign = Assegna proprietario
bulk-add-tag = Aggiungi tag
bulk-none-selected = Seleziona prima almeno una riga, o spunta “tutti quelli che corrispondono”.
bulk-value-required = Scegli un valore per questa azione.
bulk-unknown-owner = Questo utente non esiste.
bulk-invalid-action = Azione sconosciuta.
bulk-set-tier = Imposta fascia
bulk-all-matching = Tutti quelli che corrispondono, non solo le righe spuntate
bulk-delete-confirm-companies = { $count ->
    [one] Eliminare { $n } azienda? Le sue persone restano, senza azienda. Non si può annullare.
   *[other] Eliminare { $n } aziende? Le loro persone restano, senza azienda. Non si può annullare.
}
bulk-delete-confirm-deals = { $count ->
    [one] Eliminare { $n } trattativa? Non si può annullare.
   *[other] Eliminare { $n } trattative? Non si può annullare.
}
companies-updated = { $count ->
    [one] { $n } azienda aggiornata
   *[other] { $n } aziende aggiornate
}
companies-deleted = { $count ->
    [one] { $n } azienda eliminata
   *[other] { $n } aziende eliminate
}
deals-updated = { $count ->
    [one] { $n } trattativa aggiornata
   *[other] { $n } trattative aggiornate
}
deals-deleted = { $count ->
    [one] { $n } trattativa eliminata
   *[other] { $n } trattative eliminate
}
bulk-job-title = Modifica in blocco
bulk-job-delete = Elimina
bulk-job-changed = Modificati
bulk-job-skipped = Lasciati com’erano (tornerebbero indietro)
bulk-job-back = Torna all’elenco
bulk-delete-confirm = { $count ->
    [one] Eliminare { $n } contatto? Anche la sua cronologia verrà eliminata. L'operazione è irreversibile.
   *[other] Eliminare { $n } contatti? Anche le loro cronologie verranno eliminate. L'operazione è irreversibile.
}
contacts-updated = { $count ->
    [one] { $n } contatto aggiornato
   *[other] { $n } contatti aggiornati
}
contacts-deleted = { $count ->
    [one] { $n } contatto eliminato
   *[other] { $n } contatti eliminati
}
confirm-title = Conferma
delete-confirm = Eliminare { $name }? L'operazione è irreversibile.

## Record pages
profile = Profilo
allow-backward = Torna indietro nel funnel
history = Cronologia di fase e proprietario
history-field = Campo
history-change = Modifica
history-when = Quando
history-cause = Perché
cause-manual = a mano
cause-import = importazione
cause-merge = unione
cause-tracking = tracciamento
cause-rule = regola
timeline = Cronologia
timeline-filter = Mostra
empty-timeline = Per questo record non è ancora successo nulla.
empty-history = Nessuna modifica registrata.
log-activity = Registra
add-note = Aggiungi nota
note = Nota
log-call = Registra chiamata
call-outcome = Esito
call-minutes = Durata (minuti)
add-task = Aggiungi attività
tasks = Attività
task-title = Attività
task-due = Scadenza
task-assignee = Assegnata a
task-complete = Segna come fatta
task-reopen = Segna come da fare
task-overdue = scaduta
task-open-contact = contatto
empty-tasks = Nessuna attività.
empty-contact-deals = Nessuna trattativa con questo contatto.
empty-company-deals = Nessuna trattativa con questa azienda.
people = Persone
empty-people = Nessun contatto collegato a questa azienda.
link-role = Ruolo
deal-parties = Azienda e contatti
empty-contact-companies = Non collegato a un'azienda.
unlink = Scollega
link-company = Collega
link-company-domain = Dominio dell'azienda
link-no-company = Nessuna azienda ha il dominio { $domain }. Creala prima in Aziende.
hint-one-per-line = Uno per riga; il primo è il principale.
hint-phones = Uno per riga, con prefisso internazionale (+39…) o nel formato del paese del contatto.
hint-country = Due lettere, es. IT
hint-language = es. en, fa, it, pl
hint-currency = es. EUR
hint-amount = es. 1250,00
hint-comma = Separa con virgole.
hint-options = Uno o più tra: { $options }

## Fields
field-name = Nome
field-email = E-mail
field-emails = E-mail
field-phone = Telefono
field-phones = Telefoni
field-tags = Tag
field-first_name = Nome
field-last_name = Cognome
field-display_name = Nome visualizzato
field-job_title = Ruolo aziendale
field-company_name = Nome dell'azienda
field-company_id = Azienda
field-country = Paese
field-region = Regione o provincia
field-city = Città
field-postal_code = CAP
field-language = Lingua
field-owner_id = Proprietario
field-source = Origine
field-original_source = Origine iniziale
field-source_campaign = Campagna
field-source_list = Lista acquistata
field-lifecycle_stage = Fase del ciclo di vita
field-lead_status = Stato del lead
field-disqualification_reason = Motivo della squalifica
field-created_at = Creato
field-updated_at = Aggiornato
field-domain = Dominio
field-industry = Settore
field-employee_count = Dipendenti
field-annual_revenue = Fatturato annuo
field-currency = Valuta
field-tier = Livello target
field-pipeline = Pipeline
field-stage = Fase
field-amount = Importo
field-close_date = Chiusura prevista
field-status = Stato
field-lost_reason = Motivo della perdita
field-closed_at = Chiusa il

## Values
stage-subscriber = Iscritto
stage-lead = Lead
stage-mql = Lead qualificato dal marketing
stage-sql = Lead qualificato dalle vendite
stage-opportunity = Opportunità
stage-customer = Cliente
stage-evangelist = Promotore
stage-other = Altro
lead-status-new = Nuovo
lead-status-attempting_contact = Tentativo di contatto
lead-status-connected = In contatto
lead-status-qualified = Qualificato
lead-status-disqualified = Squalificato
lead-status-recycled = Riciclato
dq-junk = Spam
dq-no_budget = Nessun budget
dq-no_authority = Nessun potere decisionale
dq-no_need = Nessuna necessità
dq-bad_timing = Momento sbagliato
dq-competitor = Ha scelto un concorrente
dq-unreachable = Irraggiungibile
dq-duplicate = Duplicato
dq-other = Altro
deal-status-open = Aperta
deal-status-won = Vinta
deal-status-lost = Persa
tier-tier_1 = Livello 1
tier-tier_2 = Livello 2
tier-tier_3 = Livello 3
link-role-decision_maker = Decisore
link-role-influencer = Influenzatore
link-role-user = Utente
link-role-champion = Sostenitore
link-role-other = Altro
role = Ruolo
role-admin = Amministratore
role-marketing = Marketing
role-sales = Vendite
role-agent = Operatore
role-read_only = Sola lettura
activity-page_view = Pagina visitata
activity-form_submission = Modulo inviato
activity-email_sent = E-mail inviata
activity-email_opened = E-mail aperta
activity-email_clicked = Clic nell'e-mail
activity-email_bounced = E-mail respinta
activity-unsubscribed = Disiscritto
activity-chat_message = Messaggio in chat
activity-call = Chiamata
activity-meeting = Riunione
activity-note = Nota
activity-task = Attività
activity-product_event = Evento di prodotto
activity-purchase = Acquisto
activity-import = Importazione
activity-stage_changed = Fase cambiata
activity-segment_entered = Entrato in un segmento
activity-segment_left = Uscito da un segmento
activity-lead_assigned = Lead assegnato
activity-score_changed = Categoria di punteggio cambiata
outcome-connected = Risposto
outcome-left_voicemail = Messaggio in segreteria
outcome-no_answer = Nessuna risposta
outcome-busy = Occupato
outcome-wrong_number = Numero errato
object-contact = Contatto
object-company = Azienda
object-deal = Trattativa

## Import
import-upload = Carica un file CSV
import-intro = UTF-8 (con o senza BOM), separato da virgole, punti e virgola o tabulazioni. Le esportazioni di HubSpot, Mautic, Salesforce e Google Contatti vengono riconosciute.
import-file = File
import-object = Importa come
import-source-list = Nome della lista acquistata (facoltativo)
import-source-list-hint = Ogni riga viene contrassegnata, così se ne potrà misurare la qualità.
import-region = Paese per i numeri senza prefisso internazionale (facoltativo)
import-region-hint = Due lettere, es. IT
import-next = Carica e controlla le colonne
import-recent = Importazioni recenti
import-none = Ancora nessuna importazione.
import-status = Stato
import-result = Risultato
import-dry-run = prova
import-choose-file = Scegli un file CSV da caricare.
import-map-title = Controlla le colonne
import-map-intro = Leadline ha letto le colonne di { $file }. Cambia come importare una colonna, oppure ignorala.
import-column = Colonna nel file
import-sample = Primi valori
import-target = Importa come
import-ignore = (ignora)
import-owner-email = Proprietario (e-mail dell'utente)
import-contact-emails = E-mail dei contatti
import-external-id = Id esterno ({ $system })
import-leadline-id = Id di Leadline (aggiorna quel contatto)
import-dry-run-button = Prova senza salvare
import-run-button = Importa
import-job-title = Importazione
import-progress = Avanzamento
import-count-created = Creati
import-count-updated = Aggiornati
import-count-merged = Duplicati uniti
import-count-rejected = Rifiutati
import-created = { $n } creati
import-updated = { $n } aggiornati
import-merged = { $n } uniti
import-rejected = { $n } rifiutati
import-rejects = Scarica le righe rifiutate
import-run-now = Importa ora questo file
import-back = Tutte le importazioni
job-queued = In attesa
job-running = In corso
job-done = Completata
job-failed = Non riuscita
job-cancelled = Annullata
job-phase-analyzing = Aggiornamento delle statistiche del database
job-undone = Annullata con undo
import-undo = Annulla questa importazione…
import-undo-explain = I contatti, le aziende o le trattative creati da questa importazione vengono eliminati e quelli aggiornati tornano ai valori che avevano prima. Non è possibile se qualcos'altro ne ha modificato uno nel frattempo.
import-undo-confirm = Annulla l'importazione
import-undo-deleted = { $count ->
    [one] 1 record eliminato
   *[other] { $n } record eliminati
}
import-undo-restored = { $count ->
    [one] 1 record ripristinato
   *[other] { $n } record ripristinati
}

## Settings
settings-account = Il tuo account
settings-tokens = Token API
settings-users = Utenti e ruoli
settings-properties = Proprietà personalizzate
settings-saved-password = La password è stata cambiata.
settings-saved-user = L'utente è stato salvato.
settings-saved-property = Le proprietà sono state salvate.
settings-saved-revoked = Il token è stato revocato.
token-shown-once = Copia ora questo token: viene mostrato una sola volta.
token-name = Nome
token-prefix = Inizia con
token-scope = Accesso
token-last-used = Ultimo uso
token-create = Crea token
token-revoke = Revoca
token-revoked = revocato
empty-tokens = Ancora nessun token. Un token permette a un altro programma di usare l'API a tuo nome.
scope-read = Lettura
scope-write = Lettura e scrittura
user-add = Aggiungi utente
user-disabled = Disattivato
prop-add = Aggiungi proprietà
prop-object = Record
prop-label = Etichetta
prop-name = Nome nell'API
prop-name-hint = Lettere minuscole, cifre e _, es. fascia_budget
prop-type = Tipo
prop-options = Opzioni (per i tipi a scelta)
empty-properties = Ancora nessuna proprietà personalizzata.
prop-type-text = Testo
prop-type-number = Numero
prop-type-bool = Sì/no
prop-type-date = Data
prop-type-enum = Scelta singola
prop-type-multi_enum = Scelta multipla

dup-title = Possibili duplicati
dup-intro = Contatti che sembrano la stessa persona ma non sono stati uniti: hanno lo stesso telefono, oppure lo stesso nome e la stessa azienda, oppure un nome completo raro. Uniscili (l'unione si può annullare dalla pagina del contatto) o tienili separati.
dup-reason-same_phone = Stesso numero di telefono
dup-reason-same_name_company = Stesso nome nella stessa azienda
dup-reason-same_name_other_email = Stesso nome, altro indirizzo e-mail
dup-status-open = Da verificare
dup-status-merged = Uniti
dup-status-dismissed = Tenuti separati
dup-merge = Unisci
dup-dismiss = Non è la stessa persona
dup-scan = Trova persone con lo stesso nome
dup-none = Niente da verificare qui.
dup-scanned = { $count ->
    [one] Trovata { $n } nuova coppia da verificare.
   *[other] Trovate { $n } nuove coppie da verificare.
}
dup-merged = Uniti. Il contatto più vecchio conserva il suo id; l'unione si annulla dalla sua pagina.
dup-dismissed = Tenuti separati: questa coppia non sarà più proposta.
dup-found-on = trovata { $when }
dup-merged-on = uniti { $when }
dup-dismissed-on = tenuti separati { $when }
dup-created = aggiunto { $when }
import-count-possible_duplicates = Possibili duplicati
import-count-warnings = Valori tralasciati
import-first-rejects = Righe rifiutate
import-first-warnings = Valori tralasciati nelle righe importate
import-line = Riga { $line }:
import-default-stage = Fase del ciclo di vita per le righe che non ne hanno una
import-default-stage-auto = Automatica (le liste acquistate partono come iscritti, le altre come lead)
deal-stage-qualified = Qualificata
deal-stage-presentation = Presentazione
deal-stage-decision = Decisione
deal-stage-contract_sent = Contratto inviato
deal-stage-closed_won = Chiusa vinta
deal-stage-closed_lost = Chiusa persa
industry-logistics = Logistica
industry-software = Software
industry-food = Alimentare
industry-energy = Energia
industry-design = Design
industry-healthcare = Sanità
industry-retail = Commercio al dettaglio
industry-manufacturing = Manifattura
industry-financial_services = Servizi finanziari
industry-media = Media
channel-web = Web
channel-email = E-mail
channel-chat = Chat
channel-phone = Telefono
channel-product = Prodotto
channel-support = Assistenza
channel-sales = Vendite
bulk-backward = { $n } dei contatti scelti tornerebbero indietro nel funnel. Spunta «torna indietro» per confermare; non è stato cambiato nulla.
error-open-holder = Apri quel contatto
import-new-property = Conserva come nuova proprietà
list-total = { $count ->
    [one] { $n } risultato
   *[other] { $n } risultati
}
list-total-more = Più di { $n } risultati

## Scores
scores = Punteggi
score-priority = Priorità
score-fit = Profilo
score-engagement = Coinvolgimento
score-product = Prodotto
score-times = { $count ->
    [one] una volta
   *[other] { $n } volte
}
score-capped = al limite
score-nothing = Ancora nulla conta.

## Segments
nav-segments = Segmenti
seg-intro = Contatti che soddisfano una condizione, aggiornati man mano che agiscono: ogni nuova attività è applicata entro un secondo.
seg-none = Ancora nessun segmento.
seg-new = Nuovo segmento
seg-name = Nome
seg-condition = Condizione
seg-condition-hint = Per esempio: lifecycle_stage = "mql" and country = "IT", oppure count(page_view where url contains "/pricing", last 14 days) >= 2
seg-create = Crea segmento
seg-members = Membri
seg-no-members = Nessun contatto ancora (un nuovo segmento si riempie in pochi istanti).
seg-count = { $count ->
    [one] { $n } contatto
   *[other] { $n } contatti
}
nav-queue = Coda di lavoro
queue-whose = Lead di chi
queue-mine = I miei lead
queue-team = Team { $team }
queue-only-breached = Solo quelli oltre lo SLA
queue-show = Mostra
queue-empty = Nessun lead aperto qui. I lead arrivano quando il motore rende un contatto MQL e il routing lo assegna a qualcuno.
queue-priority = Priorità
queue-lead = Lead
queue-stage = Fase
queue-why = Perché qui
queue-owner = Responsabile
queue-sla = Primo contatto
queue-intent = Ultimo segnale di intenzione
queue-late = In ritardo.
queue-due = entro { $when }
queue-touched = contattato { $when }
queue-total = { $count ->
    [one] { $n } lead aperto
   *[other] { $n } lead aperti
}
queue-breached = { $count ->
    [one] { $n } oltre lo SLA
   *[other] { $n } oltre lo SLA
}
queue-reason-account-owner = Responsabile dell'account
queue-reason-territory = Territorio { $country }, team { $team }
queue-reason-round-robin = A rotazione, team { $team }
queue-reason-owner = Assegnato da una persona
queue-reason-unassigned = Non ancora assegnato
routing-title = Routing
routing-saved = Routing salvato.
routing-rules = Regole di assegnazione
routing-intro = Quando il motore rende un contatto MQL e non ha un responsabile, queste regole si provano in ordine; la prima che trova qualcuno disponibile gli assegna il lead. Chi è assente o al proprio limite viene saltato.
routing-rules-hint = Una regola per riga: account owner · territory PL, CZ -> team · round robin team
routing-line-error = Riga { $line }: atteso { $expected }
routing-sla = Minuti per il primo contatto (SLA)
routing-members = Chi riceve i lead
routing-no-members = Nessuno riceve ancora lead: aggiungi un utente a un team.
routing-member = Utente
routing-member-set = Aggiungi o modifica un membro
routing-team = Team
routing-weight = Quota (peso)
routing-max-open = Massimo di lead aperti
routing-away-until = Assente fino al
routing-open = Lead aperti
routing-remove = Rimuovi
seg-kind = Tipo
seg-dynamic = Dinamico: i contatti che soddisfano una condizione
seg-static = Lista statica: contatti aggiunti a mano
seg-static-hint = Aggiungi contatti dall'elenco contatti: selezionali (o prendi tutti quelli di un filtro) e scegli «Aggiungi alla lista».
seg-open-list = Apri come elenco contatti
seg-remove = Rimuovi
bulk-add-to-list = Aggiungi alla lista
bulk-list = Lista
seg-preview-button = Conta ora
seg-preview = { $count ->
    [one] { $n } contatto la soddisfa ora.
   *[other] { $n } contatti la soddisfano ora.
}
scoring-title = Regole di punteggio e ciclo di vita
scoring-open = Modifica le regole
scoring-intro = Ogni modello di punteggio somma i punti delle sue regole: una volta finché una condizione vale, oppure per ogni attività di un tipo in una finestra di tempo, dimezzati a ogni emivita. L'anteprima mostra cosa farebbe una modifica a un campione di contatti prima che cambi qualcosa; Applica la salva come nuova versione e rivaluta ogni contatto.
scoring-version = È in vigore la versione { $version }.
scoring-shipped = Sono in vigore le regole di una nuova installazione.
scoring-restored = Versione { $version } ripristinata
scoring-col-remove = Rimuovi
scoring-col-name = Regola
scoring-col-kind = Punti per
scoring-col-what = Condizione o tipo di attività
scoring-col-where = Solo attività in cui
scoring-col-window = Finestra (giorni)
scoring-col-points = Punti
scoring-col-cap = Tetto
scoring-col-half-life = Emivita (giorni)
scoring-col-stage = Porta a
scoring-col-condition = Finché vale
scoring-kind-when = una condizione
scoring-kind-each = ogni attività
scoring-thresholds = Categorie, dalla più alta
scoring-thresholds-hint = Una categoria e il suo punteggio minimo, separati da virgole; l'ultima non ha bisogno di punteggio: A 60, B 40, C 20, D
scoring-lifecycle = Regole del ciclo di vita
scoring-lifecycle-intro = Finché la condizione di una regola vale, un contatto più indietro nel funnel avanza alla sua fase; le regole non fanno mai tornare indietro nessuno.
scoring-note = Nota
scoring-preview = Anteprima
scoring-apply = Applica
scoring-preview-title = Cosa farebbe questa modifica
scoring-preview-summary = Valutati { $sample } contatti su { $contacts } con le regole attuali e con queste, in { $ms } ms.
scoring-preview-nothing = Nessun contatto del campione cambierebbe categoria, fase o segmento.
scoring-preview-categories = Cambi di categoria
scoring-preview-stages = Cambi di fase
scoring-preview-segments = Cambi di segmento
scoring-preview-movers = Variazioni di punteggio maggiori
scoring-preview-model = Modello
scoring-preview-from = Da
scoring-preview-to = A
scoring-preview-contacts = Contatti
scoring-preview-leaving = Escono
scoring-preview-entering = Entrano
scoring-versions = Versioni
scoring-no-versions = Nessuna versione salvata: valgono le regole di installazione.
scoring-version-col = Versione
scoring-version-when = Applicata
scoring-version-by = Da
scoring-version-current = attuale
scoring-restore = Ripristina
error-code-invalid_points = Deve essere un numero, ad es. 10 o -5.
job-apply-rules = Rivalutazione di ogni contatto con le nuove regole
scoring-how = Come si calcolano i punteggi
account-scores = Punteggio dell'account
account-engagement = Coinvolgimento delle sue persone
account-engaged = { $count ->
    [one] { $n } persona coinvolta
   *[other] { $n } persone coinvolte
}
score-account_fit = Idoneità dell'account
seg-history = Entrati e usciti, ultimi 30 giorni
seg-history-total = { $entered } entrati · { $left } usciti
seg-history-day = Giorno
builder-title = Costruisci una condizione
builder-field = Campo
builder-op = È
builder-value = Valore
builder-add = Aggiungi
builder-contains = contiene
builder-empty = è vuoto
builder-not-empty = non è vuoto
builder-did = Ha fatto
builder-times = almeno (volte)
builder-days = negli ultimi (giorni)
builder-reads = Si legge:
builder-category = categoria
builder-tag = Tag
builder-email_domain = Dominio e-mail
builder-open_deals = Trattative aperte
builder-won_deals = Trattative vinte

## Tracking: siti, punti di contatto
field-latest_source = Ultima fonte
field-first_touch_at = Primo contatto
field-first_touch_source = Fonte del primo contatto
field-first_touch_medium = Mezzo del primo contatto
field-first_touch_campaign = Campagna del primo contatto
field-first_touch_referrer = Referrer del primo contatto
field-latest_touch_at = Ultimo contatto
field-latest_touch_source = Fonte dell'ultimo contatto
field-latest_touch_medium = Mezzo dell'ultimo contatto
field-latest_touch_campaign = Campagna dell'ultimo contatto
field-latest_touch_referrer = Referrer dell'ultimo contatto
activity-identified = Identificato
channel-paid_search = Ricerca a pagamento
channel-paid_social = Social a pagamento
channel-organic_search = Ricerca organica
channel-organic_social = Social organico
channel-content = Contenuti
channel-display = Display
channel-events = Eventi e fiere
channel-referral = Referral
channel-partner = Partner
channel-purchased_list = Lista acquistata
channel-direct = Diretto
sites-title = Siti e tracciamento
sites-open = Siti e codice di tracciamento
sites-intro = Ogni sito invia a Leadline visite, clic ed eventi: con il tag script nelle sue pagine, o da qualsiasi libreria Segment puntata a questo server con la chiave di scrittura del sito. I visitatori restano anonimi finché un modulo o una chiamata identify dice chi sono; allora tutto ciò che hanno fatto è del contatto.
sites-inbox = Eventi ricevuti: { $kept }; in attesa di lettura: { $waiting }.
sites-none = Ancora nessun sito.
sites-write-key = Chiave di scrittura
sites-origins = Origini consentite
sites-no-origins = nessuna: possono inviare solo le librerie lato server
sites-origins-hint = Gli indirizzi delle pagine del sito, es. https://example.com, separati da virgole. I browser di altri siti sono rifiutati.
sites-snippet = Tag script per le pagine del sito
sites-server = Indirizzo dell'API Segment
sites-delete = Elimina il sito
sites-new = Aggiungi un sito
sites-name = Nome
sites-consent = Nessun cookie finché il visitatore non acconsente (la pagina chiama leadline.consent(true))
sites-dnt = Rispetta Do Not Track e Global Privacy Control
sites-create = Aggiungi il sito
source-title = Da dove arriva
source-original = Fonte originale
source-first = Primo contatto
source-latest = Ultimo contatto
source-none = Ancora nessuna visita tracciata.
source-visitors = Browser
source-visitor = { $site }: vista la prima volta { $first }, l'ultima { $last }
source-unlink = Non è questa persona
form-submit = Invia
form-thanks = Grazie! Ci faremo sentire.
form-fix = Controlla i campi segnati qui sotto.
form-consent-required = Per proseguire serve il tuo consenso.
nav-forms = Moduli
forms-title = Moduli
forms-intro = I moduli trasformano i visitatori in contatti. Ognuno ha il suo indirizzo e si può incorporare nelle pagine del sito; un invio crea o aggiorna il contatto, gli collega le visite precedenti del visitatore e registra da dove arriva.
forms-none = Ancora nessun modulo.
forms-new = Nuovo modulo
forms-counts = Ultimi 30 giorni: { $views } visualizzazioni, { $submissions } invii, { $rate } di conversione
forms-live = Pubblicato
forms-url = Indirizzo
forms-embed = Codice da incorporare
forms-embed-hint = Mettilo in una pagina con lo script di tracciamento: il modulo saprà chi è il visitatore e da quale campagna arriva.
forms-name = Nome
forms-slug = Indirizzo (lettere, cifre, trattini)
forms-site = Sito
forms-no-site = Prima aggiungi un sito
forms-fields = Campi
forms-fields-hint = Le righe senza campo sono ignorate. I campi progressivi si chiedono solo a chi è già noto, al posto di ciò che ha già risposto. Le opzioni di una scelta sono separate da virgole.
forms-target = Compila
forms-label = Etichetta
forms-kind = Tipo
forms-required = Obbligatorio
forms-progressive = Progressivo
forms-options = Opzioni
forms-remove = Rimuovi
forms-consent = Caselle di consenso
forms-consent-channel = Canale
forms-consent-wording = Testo accanto alla casella
consent-channel-email = E-mail
consent-channel-phone = Telefono
consent-channel-chat = Chat
forms-thank-you = Messaggio di ringraziamento
forms-redirect = Oppure mandali a questo indirizzo
forms-save = Salva il modulo
forms-delete = Elimina il modulo
form-kind-text = Testo
form-kind-email = E-mail
form-kind-phone = Telefono
form-kind-textarea = Testo lungo
form-kind-select = Scelta
form-kind-checkbox = Casella
nav-campaigns = Campagne
campaigns-title = Campagne
campaigns-intro = Quanto è costata ogni campagna e canale, cosa ha portato e quanto erano buoni i suoi lead. Un contatto appartiene alla campagna dell'utm_campaign del suo primo contatto, o della lista di origine della sua importazione.
campaigns-report-options = Opzioni del report
campaigns-from = Dal
campaigns-to = Al
campaigns-by = Per
campaigns-by-campaign = Campagna
campaigns-by-channel = Canale
campaigns-model = Modello di attribuzione
model-first_touch = Primo contatto
model-last_touch = Ultimo contatto
model-linear = Lineare
model-u_shaped = A U (40/20/40)
model-time_decay = Decadimento nel tempo (7 giorni)
campaigns-conversion = Conversione
conversion-lead = Nuovi lead
conversion-mql = MQL
conversion-won = Trattative vinte
campaigns-show = Mostra
campaigns-period = Dal { $from } al { $to }, rispetto al periodo dal { $pfrom } al { $pto }
campaigns-costs = Costo per lead, MQL e cliente
campaigns-spend = Spesa
campaigns-leads = Lead
campaigns-cpl = Costo per lead
campaigns-mqls = MQL
campaigns-cpmql = Costo per MQL
campaigns-customers = Clienti
campaigns-cac = Costo per cliente
campaigns-cpl-before = Costo per lead prima
campaigns-total = Totale
campaigns-quality = Qualità delle fonti
campaigns-source = Fonte
campaigns-disqualified = Squalificati
campaigns-revenue = Ricavi
campaigns-attribution = Attribuzione
campaigns-credited = Conversioni attribuite
campaigns-value = Valore attribuito
campaigns-list = Tutte le campagne
campaigns-none = Ancora nessuna campagna.
campaigns-name = Campagna
campaigns-channel = Canale
campaigns-maps = Contatti da
campaigns-budget = Budget
campaigns-spent = Speso
campaigns-new = Nuova campagna
campaigns-list-tag = Lista acquistata (la lista di origine dell'importazione)
campaigns-starts = Inizia il
campaigns-ends = Finisce il
campaigns-create = Aggiungi la campagna
campaigns-add-spend = Inserisci la spesa
campaigns-when = Giorno o mese
campaigns-amount = Importo
campaigns-save-spend = Salva
campaigns-bad-amount = Questo non è un importo.
campaigns-csv-hint = Le esportazioni di Google Ads e Meta Ads si caricano così come sono con POST /api/v1/campaigns/spend.csv.
nav-pages = Landing page
pages-title = Landing page
pages-intro = Pagine ospitate da Leadline per una campagna: un titolo, testo, immagini, un invito all'azione e un modulo. Dai a una pagina una versione B per metterla alla prova: ogni visitatore tiene la versione che ha visto, e per ogni versione si contano visualizzazioni, clic e invii.
pages-none = Ancora nessuna landing page.
pages-new = Nuova landing page
pages-counts = { $variant }: { $views } visualizzazioni, { $clicks } clic, { $submissions } invii, { $rate } di conversione
pages-slug = Indirizzo (/p/…: lettere, cifre, trattini)
pages-version-a = Versione A
pages-version-b = Versione B (vuota per nessun test)
pages-split = Quota di visitatori che vede B (%)
pages-hint = Le righe senza blocco sono ignorate. Il testo di un'immagine la descrive; l'indirizzo di un invito all'azione è dove porta il suo pulsante.
pages-block = Blocco
pages-text = Testo
pages-url = Indirizzo
pages-form = Modulo
pages-save = Salva la pagina
pages-delete = Elimina la pagina
block-headline = Titolo
block-text = Testo
block-image = Immagine
block-cta = Invito all'azione
block-form = Modulo
webhooks-title = Webhook
webhooks-open = Webhook
webhooks-intro = Leadline invia in POST al tuo indirizzo, come JSON, ogni evento a cui ti iscrivi, firmato come dice la specifica Standard Webhooks: verificalo con il segreto e una qualsiasi delle librerie di quella specifica. Una consegna a cui non si risponde con un 2xx viene ritentata, sempre più tardi, per circa un giorno.
webhooks-none = Ancora nessun webhook.
webhooks-events = Eventi
webhooks-secret = Segreto di firma
webhooks-deliveries = Ultime consegne
webhooks-no-deliveries = Ancora niente inviato.
webhooks-event = Evento
webhooks-status = Stato
webhooks-attempts = Tentativi
webhooks-answer = Ultima risposta
webhooks-when = Quando
webhooks-status-pending = In attesa
webhooks-status-delivered = Consegnato
webhooks-status-failed = Fallito
webhooks-redeliver = Invia di nuovo
webhooks-delete = Elimina il webhook
webhooks-new = Aggiungi un webhook
webhooks-url = Indirizzo
webhooks-create = Aggiungi il webhook

# Analytics
nav-analytics = Analisi
analytics-title = Analisi
analytics-intro = Fin dove arrivano le persone lungo i passi che scegli, quante si fermano a ciascuno e quanto dura ogni passo. Una persona è un contatto, o un visitatore non ancora noto; un visitatore che compila un modulo porta con sé i passi fatti prima.
analytics-funnel = Funnel
analytics-steps = Passi, in ordine
analytics-step-type = Attività
analytics-step-where = Solo dove
analytics-window = Entro
analytics-unit = Unità
analytics-unit-days = giorni
analytics-unit-hours = ore
analytics-mode = Modalità
mode-default = Tra un passo e l'altro possono esserci altre attività
mode-strict_order = Nessun'altra attività tra i passi
mode-strict_deduplication = Un passo ripetuto chiude il funnel
mode-strict_increase = Ogni passo strettamente dopo
analytics-breakdown = Suddividi per
analytics-no-breakdown = Niente
analytics-result = Persone a ogni passo
analytics-period = Dal { $from } al { $to }; { $mode }.
analytics-chart = Persone arrivate a ogni passo o oltre
analytics-chart-caption = Ogni barra sono le persone arrivate a quel passo o oltre, e la loro quota sul primo passo.
analytics-step = Passo
analytics-people = Persone
analytics-from-previous = Dal passo precedente
analytics-from-first = Dal primo passo
analytics-dropped = Usciti
analytics-median = Tempo mediano dal passo precedente
analytics-average = Tempo medio
analytics-csv = Scarica in CSV
analytics-by-group = Per valore
analytics-value = Valore
analytics-other = Tutti gli altri
analytics-no-value = Nessun valore
analytics-seconds = { $n } s
analytics-minutes = { $n } min
analytics-hours = { $n } h
analytics-days = { $n } g

# Pipelines, the board and the forecast
sales-list = Elenco
sales-board = Bacheca
sales-forecast = Previsione
board-title = Bacheca della pipeline
board-new-deal = Nuova trattativa
board-filters = Filtri della bacheca
board-everyone = Tutti
board-team = Team
board-every-team = Tutti i team
board-close-month = Chiusura a
board-unconverted = { $count ->
    [one] { $n } trattativa è in una valuta senza cambio: contata, non sommata.
   *[other] { $n } trattative sono in una valuta senza cambio: contate, non sommate.
}
board-help = Sposta una trattativa con il suo modulo o trascinala in un'altra fase. Da tastiera: porta il focus su una scheda, premi Spazio per prenderla, le frecce per scegliere la fase, Spazio per lasciarla, Esc per annullare.
board-count = { $count ->
    [one] { $n } trattativa
   *[other] { $n } trattative
}
board-weighted = Ponderato con la probabilità della fase
board-weighted-short = ponderato { $amount }
board-stuck = Ferma
board-move-to = Sposta in
board-move = Sposta
board-close = Vinta o persa
board-outcome = Esito
board-reason = Motivo
board-close-deal = Chiudi la trattativa
board-more = { $count ->
    [one] e altre { $n }
   *[other] e altre { $n }
}
board-no-owner = Nessun responsabile
board-other-stage = Non è una fase di questa pipeline
board-untitled = (senza nome)
board-age = { $n } g di vita
board-in-stage = { $n } g nella fase
board-picked = Presa { $name }. Le frecce scelgono la fase, Spazio la lascia, Esc annulla.
board-over = Su { $stage }.
forecast-title = Previsione
forecast-intro = Trattative per mese di chiusura previsto, in { $currency } al cambio della data di chiusura: aperte, ponderate con la probabilità della fase, per categoria di previsione (ognuna con le più certe) e vinte, rispetto all'obiettivo del mese.
forecast-by-month = Mese
forecast-by-owner = Responsabile
forecast-by-team = Team
forecast-chart = Vinto e impegnato per mese
forecast-chart-caption = Ogni barra è il vinto più l'impegnato del mese; dopo la barra obliqua, l'obiettivo del mese.
forecast-month = Mese
forecast-open-deals = Trattative aperte
forecast-open = Aperte
forecast-closed-won = Vinte
forecast-goal = Obiettivo
forecast-attainment = Dell'obiettivo
forecast-category-omitted = Esclusa
forecast-category-pipeline = Pipeline
forecast-category-best_case = Caso migliore
forecast-category-commit = Impegno
field-won_reason = Motivo della vittoria
field-forecast_category = Categoria di previsione
field-stage_entered_at = Nella fase dal
won-reason-price = Prezzo
won-reason-product_fit = Adeguatezza del prodotto
won-reason-relationship = Rapporto
won-reason-timing = Tempistica
won-reason-support = Assistenza
lost-reason-price = Prezzo
lost-reason-competitor = Scelto un concorrente
lost-reason-no_budget = Nessun budget
lost-reason-no_decision = Nessuna decisione
lost-reason-timing = Tempistica
lost-reason-product_fit = Adeguatezza del prodotto

# Dashboard figures
metric-title = Questo periodo rispetto al precedente
metric-period = Dal { $from } al { $to }, rispetto al periodo dal { $pfrom } al { $pto }. Fasi: contatti entrati in ciascuna nel periodo. Costi: tutta la spesa delle campagne su tutti i nuovi lead e clienti. Contato { $time } (UTC), al massimo una volta al minuto.
metric-before = prima: { $value }
metric-chart = Contatti arrivati a ogni fase nel periodo
metric-chart-caption = Ogni barra sono i contatti entrati nella fase nel periodo.
metric-new_leads = Nuovi lead
metric-mqls = MQL
metric-sqls = SQL
metric-opportunities = Opportunità
metric-customers = Nuovi clienti
metric-won_revenue = Ricavi vinti
metric-won_deals = Trattative vinte
metric-open_pipeline = Pipeline aperta (ora)
metric-weighted_pipeline = Pipeline ponderata (ora)
metric-spend = Spesa delle campagne
metric-cost_per_lead = Costo per lead
metric-cac = Costo per cliente
metric-win_rate = Tasso di vittoria
metric-average_deal = Trattativa vinta media
metric-sales_cycle_days = Ciclo di vendita
metric-velocity_per_day = Velocità della pipeline al giorno

# Customer lifetime value
clv-title = Valore nel tempo
clv-intro = Ciò che i clienti hanno comprato (le trattative vinte e gli ordini registrati) e ciò che compreranno: quanto spesso (BG/NBD) e quanto (Gamma-Gamma), stimati per massima verosimiglianza sui tuoi clienti, gli acquisti attesi di ogni mese scontati a oggi.
clv-horizon = Mesi avanti
clv-rate = Sconto al mese
clv-segment = Clienti in
clv-every-customer = Tutti i clienti
clv-by-channel = Per il canale da cui sono arrivati i clienti
clv-summary = { $customers } clienti; in media { $historical } comprato finora e { $predicted } atteso nei prossimi { $months } mesi.
clv-models = Stimati su { $customers } clienti ({ $repeat } hanno comprato più di una volta): r { $r }, α { $alpha }, a { $a }, b { $b }; p { $p }, q { $q }, γ { $gamma }.
clv-no-models = Troppo pochi clienti hanno comprato più di una volta per prevedere (servono 20 clienti e 5 che tornano): le cifre sono ciò che hanno comprato.
clv-chart = Valore nel tempo per canale
clv-chart-caption = Ogni barra è il valore medio di un cliente del canale: comprato finora e atteso nell'orizzonte.
clv-customers = Clienti
clv-historical = Comprato finora
clv-predicted = Valore atteso
clv-ratio = Valore / CAC
clv-top = I clienti di maggior valore
clv-none = Nessun cliente ha ancora una trattativa vinta.
clv-customer = Cliente
clv-purchases = Acquisti
clv-alive = Ancora cliente
clv-expected = Acquisti attesi

# Pipelines settings
pipelines-title = Pipeline
pipelines-intro = Le fasi che attraversano le trattative, ognuna con la probabilità di vittoria, la categoria di previsione, i giorni dopo cui una trattativa è ferma e i campi che servono per entrarvi; cambi e obiettivi mensili per la previsione.
pipelines-open = Pipeline, cambi e obiettivi
pipelines-saved = Salvato.
pipelines-format = Una fase per riga: chiave | nome | probabilità | categoria (omitted, pipeline, best_case o commit) | giorni prima di fermarsi | campi richiesti. Una pipeline con trattative non si può togliere.
pipelines-new = Una nuova pipeline
pipelines-key = Chiave
pipelines-label = Nome
pipelines-kind = Per
pipeline-kind-new_business = Nuovi affari
pipeline-kind-upsell = Upsell e cross-sell
pipeline-kind-renewal = Rinnovo
pipelines-stages = Fasi
pipelines-save = Salva
pipelines-rates = Cambi
pipelines-rates-intro = Quanto vale un'unità di un'altra valuta in { $currency }, da un giorno in poi; una trattativa è convertita al cambio della data di chiusura.
pipelines-rates-lines = Uno per riga: valuta, giorno, cambio (USD 2026-01-01 0.92)
pipelines-goals = Obiettivi mensili
pipelines-goals-lines = Uno per riga: mese e obiettivo del team in { $currency } (2026-07 40000.00)
pipelines-bad-line = La riga { $n } non si legge.

# Journeys
journey-title = Percorsi
journey-intro = Dove si trovano nel percorso un contatto, le persone di un'azienda o i membri di un segmento, cosa li ha toccati in ogni fase, quanti sono andati avanti e dove sono stati toccati l'ultima volta quelli che si sono fermati. La mappa di un contatto o di un'azienda si apre dalla sua pagina.
journey-whose = { $name }: { $people } persone
journey-caption = Ogni riquadro è una fase del percorso con le persone che l'hanno raggiunta e i suoi punti di contatto più comuni; ogni freccia, la quota di chi è andato avanti; sotto ogni riquadro, chi si è fermato lì.
journey-awareness = Consapevolezza
journey-consideration = Valutazione
journey-decision = Decisione
journey-loyalty = Fedeltà
journey-reached = { $n } arrivati
journey-stopped = { $n } fermi qui
journey-stage = Fase
journey-reached-col = Arrivati
journey-went-on = Andati avanti
journey-dropped = Fermi
journey-touchpoints = Punti di contatto
journey-barriers = Ultimo contatto di chi si è fermato
journey-open = Mappa del percorso

# Ready-made reports
reports-title = Report
reports-period = Contatti entrati in una fase dal { $from } al { $to }, e se sono andati avanti (in qualunque momento dopo).
reports-lifecycle = Conversione del ciclo di vita e tempo tra le fasi
reports-lifecycle-caption = Ogni barra è la quota di chi è entrato in una fase e ha raggiunto la successiva o una più avanti.
reports-step = Da → a
reports-entered = Entrati
reports-conversion = Conversione
reports-median = Tempo mediano
reports-cohorts = Clienti mantenuti, per mese del primo acquisto
reports-cohorts-intro = Ogni riga sono i clienti la cui prima trattativa vinta si è chiusa in quel mese; ogni colonna, i mesi da allora; ogni cella, la quota che ha comprato in quel mese.
reports-cohorts-caption = Più scura la cella, più clienti nuovi di quel mese hanno ricomprato allora.
reports-cohort = Primo acquisto
analytics-presets = Pronti e salvati
analytics-save = Salva questo funnel
analytics-save-key = Con la chiave
funnel-stage-awareness = Consapevolezza
funnel-stage-interest = Interesse
funnel-stage-consideration = Valutazione
funnel-stage-intent = Intenzione
funnel-stage-evaluation = Verifica
funnel-stage-purchase = Acquisto
funnel-stage-decision = Decisione
funnel-stage-action = Azione
reports-pipeline = Conversione della pipeline e tempo in ogni fase
reports-pipeline-intro = Trattative entrate in ogni fase nel periodo: quante sono passate a una fase successiva o sono state vinte, e quanti giorni sono rimaste.
reports-pipeline-caption = Ogni barra è la quota delle trattative entrate in una fase che sono andate oltre.
reports-days-in-stage = Giorni nella fase

health-title = Salute dei clienti
health-intro = Come sta ogni cliente dopo l'acquisto, secondo il modello di punteggio della salute: uso del prodotto, acquisti e incontri con il tuo team contro ticket di assistenza e un mese senza usare il prodotto. I clienti sono valutati di nuovo ogni giorno, così chi smette di usare il prodotto scende anche senza nuovi eventi.
health-no-model = Le tue regole di punteggio non hanno un modello con la chiave «health». Aggiungilo in Impostazioni → Punteggio per vedere qui la salute dei clienti.
health-overview = Clienti per salute
health-customers = Clienti
health-upsell_candidates = Candidati all'upsell
health-expanding = Con una trattativa di upsell o rinnovo
health-at_risk = A rischio
health-chart = Clienti in ogni categoria di salute
health-bands = Sotto { $low } un cliente è a rischio; da { $high } è in salute.
health-one-band = Il modello della salute ha una sola categoria: nessuno viene segnalato.
health-category = Categoria
health-not-scored = Non ancora valutato
health-at-risk = Clienti a rischio
health-at-risk-help = Prima la salute più bassa: parla con loro prima che se ne vadano.
health-none-at-risk = Nessun cliente è a rischio.
health-score = Salute
health-stage = Fase
health-owner = Responsabile
health-upsell = Candidati all'upsell
health-upsell-help = Clienti in salute senza una trattativa di upsell o rinnovo aperta, dal più in salute.
health-none-upsell = Nessun cliente in salute attende un'offerta.
health-start-upsell = Apri una trattativa di upsell
health-no-pipeline = Non c'è una pipeline di upsell o rinnovo: aggiungila in Impostazioni → Pipeline.
health-counted-at = Contati { $time } (UTC), al più un minuto fa.
health-deal-name = Upsell – { $name }
activity-support_ticket = Ticket di assistenza
