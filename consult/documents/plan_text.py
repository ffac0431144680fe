"""The sentences of the plan's documents: the estimate (ja/en) and the Specified Commercial
Transactions Act's overview and contract documents (Japanese only: the law's documents are read in
Japanese; design.md §10).

`{placeholders}` are filled by the templates from the snapshot. The cooling-off and mid-term
cancellation wording follows 特定商取引法 48条・49条 and 施行規則 for 美容医療.
"""

from __future__ import annotations

ESTIMATE = {
    "ja": {
        "title": "お見積書",
        "tel": "TEL",
        "representative": "代表者",
        "date": "発行日",
        "patient": "患者さま",
        "honorific": "様",
        "chart": "カルテ番号",
        "doc_id": "書類番号",
        "valid_until": "有効期限",
        "physician": "担当医師",
        "signed_at": "医師の確認",
        "not_signed": "医師の確認前（スタッフ用の下書き。患者さまにはお渡しできません）",
        "preview": "スタッフ用プレビュー：医師の確認を受けていないため、患者さまにお渡しする書類ではありません。",
        "intro": "医師の診察にもとづく施術計画のお見積りです。金額はすべて税込です。",
        "treatment": "施術",
        "sessions": "回数",
        "schedule": "予定",
        "schedule_text": "{first}から{weeks}週間ごと（最終回{last}）",
        "schedule_one": "{first}",
        "unit": "1回の料金",
        "how_bought": "料金の内訳",
        "course": "{n}回コース {price}",
        "single": "1回 {price}",
        "times": "×{count}",
        "amount": "金額",
        "total": "合計（税込）",
        "free_care": "本見積の施術はいずれも公的医療保険が適用されない自由診療（自費診療）です。",
        "sample": "デモ用の見本価格です（実際の料金ではありません）。",
        "law_applies": "この契約には特定商取引法の「特定継続的役務提供（美容医療）」が適用されます。"
        "ご契約の前に概要書面を、ご契約の際に契約書面をお渡しし、契約書面を受け取った日を含めて8日間は"
        "クーリング・オフができます。",
        "validity_note": "有効期限を過ぎた場合は、あらためてお見積りいたします。",
        "no_promise": "効果の現れ方には個人差があり、結果をお約束するものではありません。",
    },
    "en": {
        "title": "Estimate",
        "tel": "Tel.",
        "representative": "Representative",
        "date": "Date",
        "patient": "Patient",
        "honorific": "",
        "chart": "Chart number",
        "doc_id": "Document number",
        "valid_until": "Valid until",
        "physician": "Physician",
        "signed_at": "Physician's sign-off",
        "not_signed": "Not yet signed by the physician (a staff draft, not for the patient)",
        "preview": "Staff preview: not reviewed by a physician, so not a document for the patient.",
        "intro": "An estimate for the treatment plan based on the physician's examination. All prices "
        "include consumption tax.",
        "treatment": "Treatment",
        "sessions": "Sessions",
        "schedule": "Schedule",
        "schedule_text": "From {first}, every {weeks} weeks (last on {last})",
        "schedule_one": "{first}",
        "unit": "Per session",
        "how_bought": "How it is priced",
        "course": "{n}-session course {price}",
        "single": "single session {price}",
        "times": "×{count}",
        "amount": "Amount",
        "total": "Total (tax incl.)",
        "free_care": "All treatments in this estimate are private (self-pay) medical care, not covered by "
        "public health insurance (自由診療).",
        "sample": "Sample prices for the demo (not real prices).",
        "law_applies": "The Specified Commercial Transactions Act's rules on specified continuous services "
        "(cosmetic medicine) apply to this contract: you receive an overview document before signing and a "
        "contract document at signing, and may cancel unconditionally (cooling-off) for 8 days counting the "
        "day you receive the contract document.",
        "validity_note": "After the validity date, please ask for a new estimate.",
        "no_promise": "How results show differs from person to person; no result is promised.",
    },
}

# 概要書面 (42条1項) and 契約書面 (42条2項). Japanese only.
SCTA = {
    "overview_title": "概要書面（特定継続的役務提供・美容医療）",
    "contract_title": "契約書面（特定継続的役務提供・美容医療）",
    "read_carefully": "この書面の内容を十分にお読みください。",
    "overview_intro": "特定商取引法にもとづき、ご契約の前に契約の概要をお知らせする書面です。",
    "contract_intro": "特定商取引法にもとづき、ご契約の内容を明らかにする書面です。",
    "tel": "TEL",
    "business": "事業者",
    "business_name": "名称",
    "address": "住所",
    "phone": "電話番号",
    "representative": "代表者の氏名",
    "representative_missing": "（未登録：クリニックの管理画面で登録してください）",
    "patient": "契約者（患者さま）",
    "honorific": "様",
    "chart": "カルテ番号",
    "contract_day": "契約締結の年月日",
    "staff": "契約締結を担当した者",
    "doc_id": "書類番号",
    "physician": "施術計画を確認した医師",
    "services": "1. 役務の内容",
    "treatment": "施術",
    "purpose": "目的・方法",
    "sessions": "回数",
    "schedule": "提供の予定",
    "schedule_text": "{first}から{weeks}週間ごと、最終回{last}",
    "goods": "2. 購入が必要な商品（関連商品）",
    "goods_none": "ありません。",
    "price": "3. 役務の対価その他お支払いいただく金額（税込）",
    "price_overview": "3. 役務の対価（概算）その他お支払いいただく金額（税込）",
    "amount": "金額",
    "unit_price": "契約単価（1回あたり）",
    "total": "合計（税込）",
    "payment": "4. お支払いの時期と方法",
    "period": "5. 役務の提供期間",
    "period_text": "{start}（契約日）から{end}（最終回の予定日）まで（{days}日間）",
    "cooling_off": "6. クーリング・オフ（契約の解除）について",
    "cooling_off_points": [
        "この契約書面を受け取った日を含めて8日間は、書面または電磁的記録（電子メール等）により、"
        "無条件で契約を解除（クーリング・オフ）できます。",
        "クーリング・オフは、書面または電磁的記録を発した時に効力を生じます。",
        "クーリング・オフをした場合、違約金や損害賠償を請求されることはありません。すでに施術を受けていても、"
        "その料金を支払う必要はなく、お支払いいただいた金銭は速やかに全額お返しします。",
        "関連商品の販売契約も、あわせて解除できます。",
        "事業者が事実と違うことを告げたり威迫したりしたことにより、誤認または困惑してクーリング・オフを"
        "しなかった場合は、改めてクーリング・オフができる旨の書面を受け取った日を含めて8日間を経過するまでは、"
        "クーリング・オフができます。",
    ],
    "cooling_off_until": "この契約書面を{received}に受け取った場合、クーリング・オフができるのは{until}までです。",
    "cooling_off_overview": "契約書面を受け取った日を含めて8日間は、書面または電磁的記録により無条件で契約を"
    "解除（クーリング・オフ）できます。違約金等はかからず、お支払いいただいた金銭は全額お返しします。",
    "cancel": "7. 中途解約について",
    "cancel_points": [
        "クーリング・オフの期間を過ぎた後も、関連商品を含め、将来に向かって契約を解除（中途解約）できます。",
        "施術の開始前に解約する場合、当院が請求できる額は2万円が上限です。",
        "施術の開始後に解約する場合、当院が請求できる額は、すでに提供した施術の料金（契約単価×受けた回数）に、"
        "まだ提供していない施術の料金の2割（5万円が上限）を加えた額が上限です。",
        "前払いいただいた金額がこれを超える場合は、差額をお返しします。",
    ],
    "cancel_example": "この契約の場合：開始前の解約では上限{before}。たとえば{n}回を受けた後の解約では、"
    "提供済みの料金{provided}に{fee}を加えた{due}が上限で、前払いの場合{refund}をお返しします。",
    "deposit": "8. 前受金の保全措置",
    "special": "9. 特約",
    "special_none": "ありません。",
    "delivery": "書面の交付方法",
    "delivery_paper": "紙の書面でお渡ししています。",
    "signature": "契約者署名",
    "signature_date": "署名日",
    "preview": "スタッフ用プレビュー：医師の確認を受けていないため、患者さまにお渡しする書類ではありません。",
    "not_signed": "医師の確認前",
}

# What the clinic decides and the documents print (README, "What the clinic must still decide").
# Until the clinic sets its own terms these defaults are printed: payment in advance at signing, no
# protection of advance payments, no special terms.
CLINIC_TERMS = {
    "payment": "ご契約時に一括でお支払いいただきます（前払い）。お支払い方法は現金またはクレジットカードです。",
    "deposit": "前受金の保全措置は講じていません。",
}

PURPOSE = {
    "skin": "にきび・しみ等の除去または皮膚の活性化",
    "wrinkles": "しわ・たるみの軽減",
    "hair": "脱毛",
    "fat": "脂肪の減少",
    "teeth": "歯牙の漂白",
}
METHOD = {
    "light": "光の照射",
    "sound": "音波の照射",
    "drug": "薬剤の使用",
    "device": "機器を用いた刺激",
    "thread": "糸の挿入",
    "needle-current": "針を通じた電気",
    "bleach": "漂白剤の塗布",
}

# The price wording the law's documents share with the Japanese estimate.
SCTA.update({key: ESTIMATE["ja"][key] for key in ("course", "single", "times")})
