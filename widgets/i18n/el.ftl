# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = Φόρτωση…
app-error = Δεν ήταν δυνατή η φόρτωση αυτής της ενότητας: { $reason }
example-badge = Παράδειγμα περιεχομένου
start = Έναρξη
resume-title = Καλώς ήρθατε ξανά
resume-continue = Συνεχίστε από εκεί που σταματήσατε
resume-restart = Από την αρχή
resume-changed = Αυτή η ενότητα έχει αλλάξει από την τελευταία σας επίσκεψη. Κρατήσαμε όσο περισσότερη από την πρόοδό σας μπορούσαμε.
warning-title = Προειδοποίηση περιεχομένου
warning-continue = Κατανοώ, συνέχεια
warning-leave = Έξοδος προς το παρόν
continue = Συνέχεια
back = Πίσω
pause = Παύση και ασφαλής έξοδος
paused-title = Σε παύση
paused-body = Η πρόοδός σας έχει αποθηκευτεί σε αυτή τη συσκευή. Μπορείτε να κλείσετε τη σελίδα τώρα και να επιστρέψετε αργότερα.
paused-resume = Συνέχιση
return-to-course = Επιστροφή στο μάθημα
progress = Βήμα { $step }
settings = Ρυθμίσεις
text-size = Μέγεθος κειμένου
text-smaller = Μικρότερο κείμενο
text-larger = Μεγαλύτερο κείμενο
low-data = Λειτουργία εξοικονόμησης δεδομένων
language = Γλώσσα
media-show-image = Εμφάνιση εικόνας ({ $size })
media-play-audio = Αναπαραγωγή ήχου ({ $size })
media-play-video = Αναπαραγωγή βίντεο ({ $size })
media-transcript = Απομαγνητοφώνηση
your-choice = Η επιλογή σας
choice-effects = Τι άλλαξε αυτή η επιλογή
choices-label = Τι κάνετε;
question-count = Ερώτηση { $n } από { $total }
check-answer = Έλεγχος απάντησης
feedback-correct = Σωστό
feedback-incorrect = Όχι ακριβώς
feedback-partial = Εν μέρει σωστό
mark-right = Σωστό
mark-wrong = Λάθος
right-answer = Σωστή απάντηση
answer-recorded = Η απάντησή σας αποθηκεύτηκε.
attempts-left = { $n ->
    [one] Έχετε ακόμη μία προσπάθεια.
   *[other] Έχετε ακόμη { $n } προσπάθειες.
}
answer-true = Σωστό
answer-false = Λάθος
move-up = Μετακίνηση πάνω
move-down = Μετακίνηση κάτω
order-position = Θέση { $n } από { $total }
match-choose = Επιλέξτε αντιστοίχιση
answer-label = Η απάντησή σας
number-label = Η απάντησή σας (αριθμός)
reflection-label = Η σημείωσή σας
reflection-local = Η σημείωσή σας μένει σε αυτή τη συσκευή. Δεν τη βλέπει κανείς άλλος.
reflection-shared = Η σημείωσή σας θα κοινοποιηθεί στον εκπαιδευτή ή την εκπαιδεύτριά σας.
reflection-save = Αποθήκευση σημείωσης
reflection-skip = Παράλειψη
outcome = Έκβαση
result-passed = Επιτυχία
result-failed = Δεν έχει ολοκληρωθεί ακόμη με επιτυχία
result-score = Βαθμολογία: { $percent }%
percent-value = { $percent }%
competency-profile = Προφίλ δεξιοτήτων
competency-column = Δεξιότητα
score-column = Βαθμολογία
max-column = Μέγιστο
percent-column = Ποσοστό
debrief-title = Αναδρομή στις αποφάσεις σας
debrief-empty = Δεν πήρατε καμία απόφαση σε αυτή τη διαδρομή.
restart = Από την αρχή
saved-local = Αποθηκεύτηκε σε αυτή τη συσκευή
saved-sent = Στάλθηκε
saved-memory = Δεν αποθηκεύτηκε σε αυτή τη συσκευή: κρατήστε αυτή τη σελίδα ανοιχτή μέχρι να σταλεί
points = { $n ->
    [one] { $n } βαθμός
   *[other] { $n } βαθμοί
}
decisions-made = { $n ->
    [one] Πήρατε μία απόφαση.
   *[other] Πήρατε { $n } αποφάσεις.
}
