# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = جارٍ التحميل…
app-error = تعذّر تحميل هذه الوحدة: { $reason }
example-badge = محتوى تجريبي
start = ابدأ
resume-title = مرحبًا بعودتك
resume-continue = تابِع من حيث توقفت
resume-restart = ابدأ من جديد
resume-changed = تغيّرت هذه الوحدة منذ زيارتك الأخيرة. احتفظنا بأكبر قدر ممكن من تقدّمك.
warning-title = تنبيه بشأن المحتوى
warning-continue = فهمت، متابعة
warning-leave = المغادرة الآن
continue = متابعة
back = رجوع
pause = إيقاف مؤقت وخروج آمن
paused-title = متوقف مؤقتًا
paused-body = تم حفظ تقدّمك على هذا الجهاز. يمكنك إغلاق هذه الصفحة الآن والعودة لاحقًا.
paused-resume = استئناف
return-to-course = العودة إلى المقرر
progress = الخطوة { $step }
settings = الإعدادات
text-size = حجم النص
text-smaller = تصغير النص
text-larger = تكبير النص
low-data = وضع توفير البيانات
language = اللغة
media-show-image = عرض الصورة ({ $size })
media-play-audio = تشغيل الصوت ({ $size })
media-play-video = تشغيل الفيديو ({ $size })
media-transcript = النص المكتوب
your-choice = اختيارك
choice-effects = ما الذي غيّره هذا الاختيار
choices-label = ماذا تفعل؟
question-count = السؤال { $n } من { $total }
check-answer = تحقّق من الإجابة
feedback-correct = صحيح
feedback-incorrect = ليس تمامًا
feedback-partial = صحيح جزئيًا
mark-right = صحيح
mark-wrong = غير صحيح
right-answer = الإجابة الصحيحة
answer-recorded = تم حفظ إجابتك.
attempts-left = { $n ->
    [zero] لم تتبقَّ لديك محاولات.
    [one] تبقّت لديك محاولة واحدة.
    [two] تبقّت لديك محاولتان.
    [few] تبقّت لديك { $n } محاولات.
    [many] تبقّت لديك { $n } محاولة.
   *[other] تبقّت لديك { $n } محاولة.
}
answer-true = صح
answer-false = خطأ
move-up = نقل للأعلى
move-down = نقل للأسفل
order-position = الموضع { $n } من { $total }
match-choose = اختر ما يطابقه
answer-label = إجابتك
number-label = إجابتك (رقم)
reflection-label = ملاحظتك
reflection-local = تبقى ملاحظتك على هذا الجهاز. لا يراها أحد غيرك.
reflection-shared = ستتم مشاركة ملاحظتك مع المدرّب.
reflection-save = حفظ الملاحظة
reflection-skip = تخطي
outcome = النتيجة
result-passed = ناجح
result-failed = لم تنجح بعد
result-score = الدرجة: { $percent }٪
percent-value = { $percent }٪
competency-profile = ملف الكفاءات
competency-column = الكفاءة
score-column = الدرجة
max-column = الحد الأقصى
percent-column = النسبة المئوية
debrief-title = مراجعة قراراتك
debrief-empty = لم تتخذ أي قرار في هذا المسار.
restart = ابدأ من جديد
saved-local = محفوظ على هذا الجهاز
saved-sent = تم الإرسال
saved-memory = غير محفوظ على هذا الجهاز: أبقِ هذه الصفحة مفتوحة حتى يتم الإرسال
points = { $n ->
    [zero] { $n } نقطة
    [one] نقطة واحدة
    [two] نقطتان
    [few] { $n } نقاط
    [many] { $n } نقطة
   *[other] { $n } نقطة
}
decisions-made = { $n ->
    [zero] لم تتخذ أي قرار.
    [one] اتخذت قرارًا واحدًا.
    [two] اتخذت قرارين.
    [few] اتخذت { $n } قرارات.
    [many] اتخذت { $n } قرارًا.
   *[other] اتخذت { $n } قرار.
}
