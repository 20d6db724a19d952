"""What generated people, places and records are called: Vietnamese names, wards of Hà Nội,
streets, schools and organisations, notes, and how often residents ask for each topic and
time of day."""
from __future__ import annotations

# --- Vietnamese names ----------------------------------------------------------
FAMILY_NAMES = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 45), ("Phan", 35),
    ("Vũ", 39), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 8), ("Ngô", 13), ("Dương", 10),
    ("Đinh", 10), ("Đào", 10), ("Trịnh", 8), ("Lý", 5), ("Mai", 5), ("Lương", 5), ("Tạ", 4),
    ("Cao", 4), ("Phùng", 4), ("Hà", 6), ("Chu", 3), ("Lưu", 4), ("Tô", 3), ("Vương", 3),
    ("Kiều", 2), ("Quách", 2), ("Nghiêm", 2), ("Khuất", 1), ("Võ", 8), ("Huỳnh", 5),
]
MIDDLE_FEMALE = ["Thị"] * 6 + ["Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Bích", "Thúy",
                               "Phương", "Mai", "Hải", "Diệu", "Lan", "Quỳnh", "Khánh"]
MIDDLE_MALE = ["Văn"] * 5 + ["Đức", "Minh", "Quang", "Hữu", "Xuân", "Công", "Đình", "Ngọc",
                             "Mạnh", "Tuấn", "Quốc", "Trọng", "Thế", "Duy", "Hoàng", "Bá", "Tiến"]
GIVEN_FEMALE = ["Bình", "Lan", "Hoa", "Mai", "Hạnh", "Hương", "Thu", "Hà", "Nga", "Hằng",
                "Tuyết", "Loan", "Dung", "Yến", "Phượng", "Oanh", "Thủy", "Hồng", "Liên", "Nhung",
                "Ngọc", "Vân", "Thảo", "Trang", "Linh", "Huyền", "Quyên", "Hiền", "Thoa", "Tâm",
                "Xuân", "Lý", "Cúc", "Đào", "Lụa", "Nguyệt", "Sen", "Thắm", "Giang", "Anh",
                "Chi", "Ngân", "Phương", "Diệp", "Thư", "Vy", "My", "Hậu", "Thơm", "Gấm"]
GIVEN_MALE = ["Hùng", "Dũng", "Minh", "Tuấn", "Hải", "Sơn", "Long", "Nam", "Quang", "Thắng",
              "Đức", "Bình", "Tâm", "Cường", "Phúc", "Lộc", "Thành", "Trung", "Hiếu", "Khánh",
              "Huy", "Kiên", "Toàn", "Vinh", "Hưng", "Tùng", "Lâm", "Phong", "Đạt", "Nghĩa",
              "Thịnh", "Hòa", "Tiến", "Thanh", "Chiến", "Quý", "Bảo", "Khoa", "Việt", "Anh",
              "Hoàng", "Tài", "Hậu", "Định", "Đông", "Sáng", "Tú", "Thông", "Khải", "Luân"]

# Wards and communes of Hà Nội after the July 2025 reform, with a former district as label.
WARD_NAMES = [
    ("Phường", "Hoàn Kiếm", "Quận Hoàn Kiếm"), ("Phường", "Cửa Nam", "Quận Hoàn Kiếm"),
    ("Phường", "Ba Đình", "Quận Ba Đình"), ("Phường", "Ngọc Hà", "Quận Ba Đình"),
    ("Phường", "Giảng Võ", "Quận Ba Đình"), ("Phường", "Hai Bà Trưng", "Quận Hai Bà Trưng"),
    ("Phường", "Vĩnh Tuy", "Quận Hai Bà Trưng"), ("Phường", "Bạch Mai", "Quận Hai Bà Trưng"),
    ("Phường", "Đống Đa", "Quận Đống Đa"), ("Phường", "Kim Liên", "Quận Đống Đa"),
    ("Phường", "Văn Miếu - Quốc Tử Giám", "Quận Đống Đa"), ("Phường", "Láng", "Quận Đống Đa"),
    ("Phường", "Ô Chợ Dừa", "Quận Đống Đa"), ("Phường", "Hồng Hà", "Quận Hoàn Kiếm"),
    ("Phường", "Lĩnh Nam", "Quận Hoàng Mai"), ("Phường", "Hoàng Mai", "Quận Hoàng Mai"),
    ("Phường", "Vĩnh Hưng", "Quận Hoàng Mai"), ("Phường", "Tương Mai", "Quận Hoàng Mai"),
    ("Phường", "Định Công", "Quận Hoàng Mai"), ("Phường", "Hoàng Liệt", "Quận Hoàng Mai"),
    ("Phường", "Yên Sở", "Quận Hoàng Mai"), ("Phường", "Thanh Xuân", "Quận Thanh Xuân"),
    ("Phường", "Khương Đình", "Quận Thanh Xuân"), ("Phường", "Phương Liệt", "Quận Thanh Xuân"),
    ("Phường", "Cầu Giấy", "Quận Cầu Giấy"), ("Phường", "Nghĩa Đô", "Quận Cầu Giấy"),
    ("Phường", "Yên Hòa", "Quận Cầu Giấy"), ("Phường", "Tây Hồ", "Quận Tây Hồ"),
    ("Phường", "Phú Thượng", "Quận Tây Hồ"), ("Phường", "Tây Tựu", "Quận Bắc Từ Liêm"),
    ("Phường", "Phú Diễn", "Quận Bắc Từ Liêm"), ("Phường", "Xuân Đỉnh", "Quận Bắc Từ Liêm"),
    ("Phường", "Đông Ngạc", "Quận Bắc Từ Liêm"), ("Phường", "Thượng Cát", "Quận Bắc Từ Liêm"),
    ("Phường", "Từ Liêm", "Quận Nam Từ Liêm"), ("Phường", "Xuân Phương", "Quận Nam Từ Liêm"),
    ("Phường", "Tây Mỗ", "Quận Nam Từ Liêm"), ("Phường", "Đại Mỗ", "Quận Nam Từ Liêm"),
    ("Phường", "Long Biên", "Quận Long Biên"), ("Phường", "Bồ Đề", "Quận Long Biên"),
    ("Phường", "Việt Hưng", "Quận Long Biên"), ("Phường", "Phúc Lợi", "Quận Long Biên"),
    ("Phường", "Hà Đông", "Quận Hà Đông"), ("Phường", "Dương Nội", "Quận Hà Đông"),
    ("Phường", "Yên Nghĩa", "Quận Hà Đông"), ("Phường", "Phú Lương", "Quận Hà Đông"),
    ("Phường", "Kiến Hưng", "Quận Hà Đông"), ("Phường", "Thanh Liệt", "Huyện Thanh Trì"),
    ("Phường", "Chương Mỹ", "Huyện Chương Mỹ"), ("Phường", "Sơn Tây", "Thị xã Sơn Tây"),
    ("Phường", "Tùng Thiện", "Thị xã Sơn Tây"), ("Xã", "Thanh Trì", "Huyện Thanh Trì"),
    ("Xã", "Đại Thanh", "Huyện Thanh Trì"), ("Xã", "Nam Phù", "Huyện Thanh Trì"),
    ("Xã", "Ngọc Hồi", "Huyện Thanh Trì"), ("Xã", "Gia Lâm", "Huyện Gia Lâm"),
    ("Xã", "Thuận An", "Huyện Gia Lâm"), ("Xã", "Bát Tràng", "Huyện Gia Lâm"),
    ("Xã", "Phù Đổng", "Huyện Gia Lâm"), ("Xã", "Đông Anh", "Huyện Đông Anh"),
    ("Xã", "Phúc Thịnh", "Huyện Đông Anh"), ("Xã", "Thư Lâm", "Huyện Đông Anh"),
    ("Xã", "Thiên Lộc", "Huyện Đông Anh"), ("Xã", "Vĩnh Thanh", "Huyện Đông Anh"),
    ("Xã", "Sóc Sơn", "Huyện Sóc Sơn"), ("Xã", "Kim Anh", "Huyện Sóc Sơn"),
    ("Xã", "Trung Giã", "Huyện Sóc Sơn"), ("Xã", "Đa Phúc", "Huyện Sóc Sơn"),
    ("Xã", "Nội Bài", "Huyện Sóc Sơn"), ("Xã", "Mê Linh", "Huyện Mê Linh"),
    ("Xã", "Yên Lãng", "Huyện Mê Linh"), ("Xã", "Tiến Thắng", "Huyện Mê Linh"),
    ("Xã", "Quang Minh", "Huyện Mê Linh"), ("Xã", "Thường Tín", "Huyện Thường Tín"),
    ("Xã", "Thượng Phúc", "Huyện Thường Tín"), ("Xã", "Chương Dương", "Huyện Thường Tín"),
    ("Xã", "Hồng Vân", "Huyện Thường Tín"), ("Xã", "Phú Xuyên", "Huyện Phú Xuyên"),
    ("Xã", "Chuyên Mỹ", "Huyện Phú Xuyên"), ("Xã", "Đại Xuyên", "Huyện Phú Xuyên"),
    ("Xã", "Ứng Hòa", "Huyện Ứng Hòa"), ("Xã", "Vân Đình", "Huyện Ứng Hòa"),
    ("Xã", "Hòa Xá", "Huyện Ứng Hòa"), ("Xã", "Mỹ Đức", "Huyện Mỹ Đức"),
    ("Xã", "Hương Sơn", "Huyện Mỹ Đức"), ("Xã", "Phúc Sơn", "Huyện Mỹ Đức"),
    ("Xã", "Thanh Oai", "Huyện Thanh Oai"), ("Xã", "Bình Minh", "Huyện Thanh Oai"),
    ("Xã", "Tam Hưng", "Huyện Thanh Oai"), ("Xã", "Dân Hòa", "Huyện Thanh Oai"),
    ("Xã", "Quốc Oai", "Huyện Quốc Oai"), ("Xã", "Kiều Phú", "Huyện Quốc Oai"),
    ("Xã", "Hưng Đạo", "Huyện Quốc Oai"), ("Xã", "Thạch Thất", "Huyện Thạch Thất"),
    ("Xã", "Hạ Bằng", "Huyện Thạch Thất"), ("Xã", "Tây Phương", "Huyện Thạch Thất"),
    ("Xã", "Hoài Đức", "Huyện Hoài Đức"), ("Xã", "Dương Hòa", "Huyện Hoài Đức"),
    ("Xã", "Sơn Đồng", "Huyện Hoài Đức"), ("Xã", "An Khánh", "Huyện Hoài Đức"),
    ("Xã", "Đan Phượng", "Huyện Đan Phượng"), ("Xã", "Ô Diên", "Huyện Đan Phượng"),
    ("Xã", "Liên Minh", "Huyện Đan Phượng"), ("Xã", "Phúc Thọ", "Huyện Phúc Thọ"),
    ("Xã", "Phúc Lộc", "Huyện Phúc Thọ"), ("Xã", "Hát Môn", "Huyện Phúc Thọ"),
    ("Xã", "Ba Vì", "Huyện Ba Vì"), ("Xã", "Quảng Oai", "Huyện Ba Vì"),
    ("Xã", "Cổ Đô", "Huyện Ba Vì"), ("Xã", "Minh Châu", "Huyện Ba Vì"),
    ("Xã", "Yên Bài", "Huyện Ba Vì"), ("Xã", "Suối Hai", "Huyện Ba Vì"),
]
# Beyond the real list (the city profile has more units than Hà Nội): same names, a quarter added.
WARD_SUFFIXES = ["Bắc", "Nam", "Đông", "Tây", "Trung", "Thượng", "Hạ"]
STREETS = ["Hàng Gai", "Hàng Bông", "Lê Duẩn", "Kim Mã", "Nguyễn Trãi", "Giải Phóng",
           "Trường Chinh", "Láng Hạ", "Xuân Thủy", "Tôn Đức Thắng", "Nguyễn Văn Cừ",
           "Lạc Long Quân", "Âu Cơ", "Thụy Khuê", "Hoàng Hoa Thám", "Đội Cấn", "Tây Sơn",
           "Chùa Bộc", "Phạm Ngọc Thạch", "Bạch Mai", "Minh Khai", "Tam Trinh", "Kim Giang",
           "Nguyễn Xiển", "Hồ Tùng Mậu", "Phạm Văn Đồng", "Ngọc Lâm", "Quang Trung", "Trần Phú",
           "Lê Trọng Tấn", "Định Công", "Hoàng Quốc Việt", "Nguyễn Chí Thanh", "Yên Phụ"]
VILLAGE_NAMES = ["Đông", "Đoài", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Cao", "Lai", "Phú",
                 "An", "Yên", "Hòa", "Thịnh", "Lộc", "Tiền", "Hậu"]
SCHOOLS = ["Trường THPT Trần Phú", "Trường THPT Việt Đức", "Trường THPT Chu Văn An",
           "Trường THPT Kim Liên", "Trường THPT Yên Hòa", "Trường THPT Nguyễn Trãi",
           "Đại học Bách khoa Hà Nội", "Học viện Công nghệ Bưu chính Viễn thông",
           "Đại học Quốc gia Hà Nội", "Đại học Sư phạm Hà Nội", "Trường THCS Trưng Vương"]
TEACHER_SCHOOLS = ["Trường THCS Trưng Vương", "Trường Tiểu học Điện Biên",
                   "Trường THCS Ngô Sĩ Liên",
                   "Trường THPT Phan Đình Phùng", "Trường Tiểu học Kim Đồng",
                   "Trung tâm giáo dục thường xuyên"]
BUSINESSES = ["Viettel Hà Nội", "VNPT Hà Nội", "Bưu điện thành phố Hà Nội", "FPT Telecom",
              "Ngân hàng Vietcombank", "Ngân hàng Agribank", "Hợp tác xã dịch vụ nông nghiệp",
              "MobiFone", "Thế Giới Di Động"]
OTHER_ORGS = [None, "Hội Cựu chiến binh", "Hội Phụ nữ", "Hội Người cao tuổi", "Hội Chữ thập đỏ"]
REQUEST_NOTES = [
    "Bà muốn trả tiền điện bằng điện thoại.", "Ông cần cài lại Zalo sau khi đổi điện thoại.",
    "Con cháu ở xa, muốn gọi video cho cháu.", "Muốn biết cách nhận ra cuộc gọi lừa đảo.",
    "Cần làm định danh điện tử mức 2.", "Nhờ hướng dẫn đặt lịch khám ở bệnh viện.",
    "Mắt kém, cần chỉnh chữ to.", "Chỉ rảnh buổi sáng, chiều đi đón cháu.",
    "Điện thoại mới mua, chưa biết dùng.", "Muốn đóng học phí cho cháu qua ngân hàng.",
    "Nhờ gọi trước khi đến, nhà ở cuối ngõ.", "Bán rau ở chợ, muốn nhận tiền bằng mã QR.",
]
REQUEST_CANCEL_REASONS = ["Người dân không còn nhu cầu", "Con cháu đã hướng dẫn",
                          "Người dân chuyển nơi ở", "Trùng với yêu cầu khác",
                          "Không liên lạc được với người dân"]
SESSION_CANCEL_REASONS = ["Tình nguyện viên bận đột xuất", "Trời mưa to", "Người dân bị ốm",
                          "Nhà văn hóa có việc", "Mất điện cả khu"]
OUTCOME_NOTES = ["Bà đã tự gọi video cho con.", "Cần ôn lại lần sau.",
                 "Ông đã chuyển khoản thử thành công.", "Đã cài VNeID, chờ duyệt mức 2.",
                 "Đã chặn hai số lạ hay gọi đến.", "Tự đặt được lịch khám tuần sau.",
                 "Còn run tay khi quét mã, cần luyện thêm."]
NO_SHOW_NOTE = "Người dân vắng mặt."
RESIDENT_PHONE_PREFIXES = ["+8491", "+8494", "+8498", "+8497", "+8496", "+8486", "+8488",
                           "+8432", "+8435", "+8437", "+8439", "+8470", "+8477", "+8478",
                           "+8479", "+8481", "+8483", "+8485", "+8456"]
# Topic popularity among residents (slugs from the catalogue; unknown slugs get weight 1).
TOPIC_DEMAND = {"zalo": 24, "ngan-hang-so": 20, "lua-dao": 16, "dien-thoai": 15, "vneid": 12,
                "hoa-don": 10, "kham-benh": 8, "dich-vu-cong": 7, "bao-mat": 4, "mua-sam": 4,
                "tim-kiem": 3, "ban-hang": 3, "tro-ly-ai": 2}
COARSE_DEMAND = [("weekday_morning", 35), ("weekend_morning", 30), ("weekday_afternoon", 20),
                 ("weekend_afternoon", 14), ("weekday_evening", 7), ("weekend_evening", 4)]
COARSE_SUPPLY = [("weekday_morning", 10), ("weekend_morning", 30), ("weekday_afternoon", 12),
                 ("weekend_afternoon", 26), ("weekday_evening", 30), ("weekend_evening", 14)]
