# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = در حال بارگذاری…
app-error = این بخش آموزشی بارگذاری نشد: { $reason }
example-badge = محتوای نمونه
start = شروع
resume-title = خوش برگشتید
resume-continue = ادامه از جایی که ماندید
resume-restart = شروع دوباره
resume-changed = این بخش آموزشی از آخرین بازدید شما تغییر کرده است. تا جای ممکن پیشرفت شما را نگه داشتیم.
warning-title = هشدار محتوا
warning-continue = متوجه شدم، ادامه
warning-leave = فعلاً خروج
continue = ادامه
back = بازگشت
pause = توقف و خروج امن
paused-title = متوقف شد
paused-body = پیشرفت شما روی این دستگاه ذخیره شده است. می‌توانید اکنون این صفحه را ببندید و بعداً برگردید.
paused-resume = ادامه
return-to-course = بازگشت به دوره
progress = مرحلهٔ { $step }
settings = تنظیمات
text-size = اندازهٔ متن
text-smaller = متن کوچک‌تر
text-larger = متن بزرگ‌تر
low-data = حالت کم‌مصرف داده
language = زبان
media-show-image = نمایش تصویر ({ $size })
media-play-audio = پخش صدا ({ $size })
media-play-video = پخش ویدیو ({ $size })
media-transcript = متن گفتار
your-choice = انتخاب شما
choice-effects = آنچه این انتخاب تغییر داد
choices-label = چه می‌کنید؟
question-count = پرسش { $n } از { $total }
check-answer = بررسی پاسخ
feedback-correct = درست است
feedback-incorrect = نه کاملاً
feedback-partial = تا حدی درست است
mark-right = درست
mark-wrong = نادرست
right-answer = پاسخ درست
answer-recorded = پاسخ شما ذخیره شد.
attempts-left = { $n ->
    [one] یک فرصت دیگر دارید.
   *[other] { $n } فرصت دیگر دارید.
}
answer-true = درست
answer-false = نادرست
move-up = انتقال به بالا
move-down = انتقال به پایین
order-position = جایگاه { $n } از { $total }
match-choose = مورد متناظر را انتخاب کنید
answer-label = پاسخ شما
number-label = پاسخ شما (یک عدد)
reflection-label = یادداشت شما
reflection-local = یادداشت شما روی این دستگاه می‌ماند. هیچ‌کس دیگری آن را نمی‌بیند.
reflection-shared = یادداشت شما با مربی‌تان به اشتراک گذاشته می‌شود.
reflection-save = ذخیرهٔ یادداشت
reflection-skip = رد شدن
outcome = نتیجه
result-passed = قبول
result-failed = هنوز قبول نشده
result-score = امتیاز: { $percent }٪
percent-value = { $percent }٪
competency-profile = نیمرخ شایستگی‌ها
competency-column = شایستگی
score-column = امتیاز
max-column = حداکثر
percent-column = درصد
debrief-title = مروری بر تصمیم‌های شما
debrief-empty = در این مسیر تصمیمی نگرفتید.
restart = شروع دوباره
saved-local = روی این دستگاه ذخیره شد
saved-sent = ارسال شد
saved-memory = روی این دستگاه ذخیره نشد: این صفحه را تا زمان ارسال باز نگه دارید
points = { $n ->
    [one] { $n } امتیاز
   *[other] { $n } امتیاز
}
decisions-made = { $n ->
    [one] یک تصمیم گرفتید.
   *[other] { $n } تصمیم گرفتید.
}
