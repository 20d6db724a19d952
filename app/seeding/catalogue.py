"""The topic catalogue and campaign targets, as seed data (editable afterwards)."""
from __future__ import annotations

from app.models.coverage import Indicator
from app.models.topics import CompetenceArea as CA

# slug, name, short name, icon, core, competence area, citizen group, skills
TOPICS = [
    ("dien-thoai", "Dùng điện thoại thông minh cơ bản", "Điện thoại cơ bản", "📱", True,
     CA.PROBLEM_SOLVING, 0,
     ["Chỉnh cỡ chữ và độ sáng màn hình", "Kết nối wifi", "Chụp ảnh và xem lại ảnh",
      "Cài và gỡ ứng dụng từ kho ứng dụng", "Gọi điện, lưu số vào danh bạ"]),
    ("zalo", "Zalo: nhắn tin, gọi video, nhóm tổ dân phố", "Zalo", "💬", True,
     CA.COMMUNICATION, 1,
     ["Nhắn tin và gửi ảnh", "Gọi video cho con cháu", "Tham gia nhóm Zalo của tổ dân phố",
      "Gửi tin nhắn thoại"]),
    ("ngan-hang-so", "Ngân hàng số và thanh toán QR", "Ngân hàng số", "🏦", True,
     CA.PROBLEM_SOLVING, 3,
     ["Xem số dư tài khoản", "Chuyển khoản bằng mã QR", "Chuyển khoản theo số tài khoản",
      "Không bao giờ đưa mã OTP cho người khác"]),
    ("hoa-don", "Thanh toán hóa đơn điện, nước, học phí", "Hóa đơn", "🧾", False,
     CA.PROBLEM_SOLVING, 3,
     ["Thanh toán tiền điện", "Thanh toán tiền nước", "Đóng học phí cho cháu",
      "Xem lại lịch sử thanh toán"]),
    ("vneid", "VNeID và định danh điện tử mức 2", "VNeID", "🪪", False,
     CA.INFORMATION, 2,
     ["Đăng nhập VNeID", "Xem thẻ căn cước điện tử", "Tích hợp giấy tờ vào VNeID",
      "Bảo vệ mật khẩu VNeID"]),
    ("dich-vu-cong", "Dịch vụ công trực tuyến", "Dịch vụ công", "🏛️", False,
     CA.PROBLEM_SOLVING, 2,
     ["Đăng nhập Cổng dịch vụ công quốc gia", "Nộp hồ sơ trực tuyến",
      "Tra cứu tình trạng hồ sơ"]),
    ("kham-benh", "Đặt lịch khám bệnh và nhận tin nhắn từ bác sĩ", "Khám bệnh", "🩺", False,
     CA.COMMUNICATION, 2,
     ["Đặt lịch khám qua ứng dụng", "Xem kết quả và lời dặn của bác sĩ",
      "Dùng sổ sức khỏe điện tử"]),
    ("lua-dao", "Nhận diện và phòng tránh lừa đảo trên mạng", "Chống lừa đảo", "🛡️", True,
     CA.SAFETY, 4,
     ["Nhận ra cuộc gọi giả danh công an, ngân hàng", "Không bấm vào đường link lạ",
      "Không đưa mã OTP, mật khẩu, không chuyển tiền theo yêu cầu lạ",
      "Biết báo cáo và chặn số lừa đảo"]),
    ("bao-mat", "Bảo vệ thông tin cá nhân và mật khẩu", "Bảo mật", "🔒", False,
     CA.SAFETY, 4,
     ["Đặt mật khẩu mạnh", "Khóa màn hình điện thoại", "Không chia sẻ giấy tờ tùy thân lên mạng"]),
    ("mua-sam", "Mua bán trực tuyến an toàn", "Mua sắm trực tuyến", "🛒", False,
     CA.SAFETY, 3,
     ["Đặt hàng trên sàn thương mại điện tử", "Nhận ra cửa hàng giả", "Thanh toán khi nhận hàng"]),
    ("ban-hang", "Bán hàng trực tuyến cho hộ kinh doanh", "Bán hàng trực tuyến", "🏪", False,
     CA.CONTENT, 5,
     ["Chụp ảnh sản phẩm đẹp", "Đăng bán trên Zalo và mạng xã hội",
      "Nhận thanh toán bằng mã QR"]),
    ("tim-kiem", "Tìm kiếm và kiểm chứng thông tin", "Tìm kiếm thông tin", "🔎", False,
     CA.INFORMATION, 1,
     ["Tìm kiếm bằng giọng nói", "Nhận biết tin giả", "Tìm nguồn tin chính thống"]),
    ("tro-ly-ai", "Dùng trợ lý trí tuệ nhân tạo an toàn", "Trợ lý AI", "🤖", False,
     CA.AI, 5,
     ["Hỏi trợ lý AI bằng giọng nói", "Kiểm tra lại câu trả lời của AI",
      "Không đưa thông tin cá nhân cho AI"]),
]

# indicator, percent, strictly above
CAMPAIGN_TARGETS = [
    (Indicator.HOUSEHOLDS_BASIC, 100, False),
    (Indicator.ADULTS_BASIC, 85, True),
    (Indicator.SMARTPHONE, 85, False),
    (Indicator.EPAYMENT, 50, True),
    (Indicator.WORKERS_BASIC, 80, False),
    (Indicator.STUDENTS, 100, False),
]
